package io.allidb.bench;

import io.github.jbellis.jvector.vector.VectorUtil;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;

/**
 * Base vectors, query vectors and exact top-k ground truth for the {@code ann} benchmark, plus
 * their raw little-endian files ({@code base.f32}, {@code queries.f32}, {@code gt.i32}) that the
 * Python peers read, so every engine sees the same bytes.
 *
 * @param name dataset name for the report
 * @param base base vectors (vector i has id i)
 * @param queries query vectors
 * @param groundTruth for each query the ids of its {@code k} nearest base vectors by squared L2,
 *     nearest first
 * @param dir directory holding the raw files
 */
record AnnDataset(String name, float[][] base, float[][] queries, int[][] groundTruth, Path dir) {

  /** Where Debian's {@code dataset-fashion-mnist} installs its idx files. */
  static final Path DEBIAN_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

  int dimension() {
    return base[0].length;
  }

  /**
   * Fashion-MNIST as ann-benchmarks' {@code fashion-mnist-784-euclidean}: the 60K training images
   * are the base, the first {@code queryCount} of the 10K test images the queries, raw pixel bytes
   * as floats (no normalisation).
   */
  static AnnDataset fashionMnist(Path idxDir, int baseLimit, int queryCount, int k, Path workDir)
      throws IOException {
    Path train = idxDir.resolve("train-images-idx3-ubyte.gz");
    Path test = idxDir.resolve("t10k-images-idx3-ubyte.gz");
    if (!Files.exists(train) || !Files.exists(test)) {
      throw new IOException(
          "Fashion-MNIST not found in "
              + idxDir
              + "; run bench/datasets/install.sh (Debian package dataset-fashion-mnist)");
    }
    float[][] base = readIdxImages(train, baseLimit);
    float[][] queries = readIdxImages(test, queryCount);
    Path dir = workDir.resolve("fashion-mnist-784-" + base.length + "-" + queries.length);
    return withGroundTruth("fashion-mnist-784-euclidean", base, queries, k, dir);
  }

  /** Clustered Gaussian vectors: tiny, no download, for smoke tests of the harness. */
  static AnnDataset synthetic(int n, int queryCount, int dim, int k, long seed, Path workDir)
      throws IOException {
    Random rnd = new Random(seed);
    int clusters = Math.max(1, n / 50);
    float[][] centres = new float[clusters][dim];
    for (float[] c : centres) {
      for (int d = 0; d < dim; d++) {
        c[d] = (float) rnd.nextGaussian() * 4;
      }
    }
    float[][] base = new float[n][];
    float[][] queries = new float[queryCount][];
    for (int i = 0; i < n + queryCount; i++) {
      float[] c = centres[rnd.nextInt(clusters)];
      float[] v = new float[dim];
      for (int d = 0; d < dim; d++) {
        v[d] = c[d] + (float) rnd.nextGaussian();
      }
      if (i < n) {
        base[i] = v;
      } else {
        queries[i - n] = v;
      }
    }
    Path dir = workDir.resolve("synthetic-" + dim + "-" + n + "-" + queryCount + "-" + seed);
    return withGroundTruth("synthetic-" + dim, base, queries, k, dir);
  }

  /** Writes the raw files and computes (or reuses the cached) ground truth. */
  private static AnnDataset withGroundTruth(
      String name, float[][] base, float[][] queries, int k, Path dir) throws IOException {
    Files.createDirectories(dir);
    writeFloats(dir.resolve("base.f32"), base);
    writeFloats(dir.resolve("queries.f32"), queries);
    Path gtFile = dir.resolve("gt-k" + k + ".i32");
    int[][] gt;
    if (Files.exists(gtFile) && Files.size(gtFile) == 4L * k * queries.length) {
      gt = readInts(gtFile, queries.length, k);
    } else {
      gt = exactTopK(base, queries, k);
      writeInts(gtFile, gt);
    }
    return new AnnDataset(name, base, queries, gt, dir);
  }

  /** Parses an idx3-ubyte file (optionally gzipped): magic 0x803, count, rows, cols, pixels. */
  static float[][] readIdxImages(Path file, int limit) throws IOException {
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
        DataInputStream data = new DataInputStream(in)) {
      int magic = data.readInt();
      if (magic != 0x00000803) {
        throw new IOException(file + ": not an idx3-ubyte file (magic " + magic + ")");
      }
      int count = data.readInt();
      int dim = data.readInt() * data.readInt();
      int n = limit > 0 ? Math.min(limit, count) : count;
      byte[] pixels = new byte[dim];
      float[][] out = new float[n][dim];
      for (int i = 0; i < n; i++) {
        data.readFully(pixels);
        for (int d = 0; d < dim; d++) {
          out[i][d] = pixels[d] & 0xff;
        }
      }
      return out;
    }
  }

  /** Brute force on all cores; jvector's distance kernel, so SIMD on JDK 22+. */
  static int[][] exactTopK(float[][] base, float[][] queries, int k) {
    VectorTypeSupport vts = VectorizationProvider.getInstance().getVectorTypeSupport();
    VectorFloat<?>[] b = new VectorFloat<?>[base.length];
    for (int i = 0; i < base.length; i++) {
      b[i] = vts.createFloatVector(base[i]);
    }
    int[][] gt = new int[queries.length][];
    IntStream.range(0, queries.length)
        .parallel()
        .forEach(
            qi -> {
              VectorFloat<?> q = vts.createFloatVector(queries[qi]);
              int kk = Math.min(k, base.length);
              int[] ids = new int[kk];
              float[] dist = new float[kk];
              int size = 0;
              for (int i = 0; i < b.length; i++) {
                float d = VectorUtil.squareL2Distance(q, b[i]);
                if (size < kk || d < dist[size - 1]) {
                  // insertion into the sorted top-k; ties keep the lower id first
                  int pos = size < kk ? size++ : kk - 1;
                  while (pos > 0 && dist[pos - 1] > d) {
                    dist[pos] = dist[pos - 1];
                    ids[pos] = ids[pos - 1];
                    pos--;
                  }
                  dist[pos] = d;
                  ids[pos] = i;
                }
              }
              gt[qi] = ids;
            });
    return gt;
  }

  /** Mean fraction of the true top-k found in each result (recall@k). */
  static double recall(int[][] results, int[][] truth, int k) {
    long found = 0;
    for (int q = 0; q < truth.length; q++) {
      int[] t = truth[q];
      int[] r = results[q];
      int limit = Math.min(k, t.length);
      for (int i = 0; i < limit; i++) {
        for (int j = 0; j < Math.min(k, r.length); j++) {
          if (r[j] == t[i]) {
            found++;
            break;
          }
        }
      }
    }
    return found / (double) (truth.length * (long) Math.min(k, truth[0].length));
  }

  private static void writeFloats(Path file, float[][] rows) throws IOException {
    long bytes = 4L * rows.length * rows[0].length;
    if (Files.exists(file) && Files.size(file) == bytes) {
      return; // same data written by an earlier run (the name encodes the counts)
    }
    ByteBuffer buf = ByteBuffer.allocate(4 * rows[0].length * 256).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      for (int i = 0; i < rows.length; i++) {
        buf.asFloatBuffer().put(rows[i]);
        buf.position(buf.position() + 4 * rows[i].length);
        if (!buf.hasRemaining() || i == rows.length - 1) {
          buf.flip();
          while (buf.hasRemaining()) {
            ch.write(buf);
          }
          buf.clear();
        }
      }
    }
  }

  private static void writeInts(Path file, int[][] rows) throws IOException {
    ByteBuffer buf =
        ByteBuffer.allocate(4 * rows.length * rows[0].length).order(ByteOrder.LITTLE_ENDIAN);
    for (int[] r : rows) {
      buf.asIntBuffer().put(r);
      buf.position(buf.position() + 4 * r.length);
    }
    buf.flip();
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
    }
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static int[][] readInts(Path file, int rows, int cols) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    int[][] out = new int[rows][cols];
    for (int[] r : out) {
      buf.asIntBuffer().get(r);
      buf.position(buf.position() + 4 * cols);
    }
    return out;
  }
}
