package io.allidb.dataplane.cluster.transport;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Fault injection for internode calls, for cluster tests: partitions (groups of hosts that cannot
 * reach the other groups), dropped calls and delayed calls. Installed by {@link PooledPeers} as a
 * client interceptor when its builder is given one; production builds none, so the call path has no
 * fault hook at all.
 *
 * <p>One instance is shared by every node of a test cluster, so a partition is symmetric: each
 * side's calls to the other fail with {@code UNAVAILABLE}, as a real network split would make them
 * (after a connect timeout). Calls to an address whose host id is not yet known (a seed before the
 * first exchange) are never partitioned. Random drops use a seeded {@link Random}, so a failing run
 * can be replayed.
 *
 * <p>Thread-safe.
 */
public final class NetworkFaults {
  private final Random random;
  private final ScheduledExecutorService delays;
  private Map<String, Integer> sideOf = Map.of(); // guarded by this
  private double dropProbability; // guarded by this
  private Duration delay = Duration.ZERO; // guarded by this

  public NetworkFaults(long seed) {
    this.random = new Random(seed);
    this.delays =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "network-faults");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Splits the cluster: hosts in different groups cannot reach each other; hosts in no group reach
   * everyone. Replaces any earlier partition.
   */
  public synchronized void partition(Collection<? extends Collection<String>> groups) {
    var sides = new HashMap<String, Integer>();
    int side = 0;
    for (Collection<String> group : groups) {
      for (String host : group) {
        if (sides.put(host, side) != null) {
          throw new IllegalArgumentException(host + " is in two groups of the partition");
        }
      }
      side++;
    }
    sideOf = Map.copyOf(sides);
  }

  /** Cuts {@code hostId} off from every other host. */
  public synchronized void isolate(String hostId, Collection<String> others) {
    var groups = new ArrayList<List<String>>();
    groups.add(List.of(hostId));
    groups.add(others.stream().filter(h -> !h.equals(hostId)).toList());
    partition(groups);
  }

  /** Fails each call with the given probability. */
  public synchronized void drop(double probability) {
    if (probability < 0 || probability > 1) {
      throw new IllegalArgumentException("probability must be in [0, 1]; got " + probability);
    }
    dropProbability = probability;
  }

  /** Holds every call back this long before it starts (bounded by the call's deadline). */
  public synchronized void delay(Duration delay) {
    this.delay = delay;
  }

  /** Removes every fault. */
  public synchronized void heal() {
    sideOf = Map.of();
    dropProbability = 0;
    delay = Duration.ZERO;
  }

  /** Whether {@code from} can reach {@code to} under the current partition. */
  public synchronized boolean canReach(String from, String to) {
    Integer a = sideOf.get(from);
    Integer b = sideOf.get(to);
    return a == null || b == null || a.equals(b);
  }

  /** The interceptor for the channels of node {@code localHostId}. */
  public ClientInterceptor interceptor(String localHostId, PeerAddresses addresses) {
    return new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(
          MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        Optional<String> target = addresses.hostIdAt(next.authority());
        boolean dropped;
        long delayNanos;
        synchronized (NetworkFaults.this) {
          if (target.isPresent() && !canReach(localHostId, target.get())) {
            return new FailedCall<>(
                Status.UNAVAILABLE.withDescription(
                    "fault injection: " + localHostId + " is partitioned from " + target.get()));
          }
          dropped = dropProbability > 0 && random.nextDouble() < dropProbability;
          delayNanos = delay.toNanos();
        }
        if (dropped) {
          return new FailedCall<>(Status.UNAVAILABLE.withDescription("fault injection: dropped"));
        }
        ClientCall<Q, R> call = next.newCall(method, options);
        if (delayNanos <= 0) {
          return call;
        }
        Deadline deadline = options.getDeadline();
        if (deadline != null) {
          delayNanos =
              Math.max(0, Math.min(delayNanos, deadline.timeRemaining(TimeUnit.NANOSECONDS)));
        }
        return new DelayedCall<>(call, delayNanos);
      }
    };
  }

  /** A call that fails at start, as one that could not connect. */
  private static final class FailedCall<Q, R> extends ClientCall<Q, R> {
    private final Status status;

    FailedCall(Status status) {
      this.status = status;
    }

    @Override
    public void start(Listener<R> listener, Metadata headers) {
      listener.onClose(status, new Metadata());
    }

    @Override
    public void request(int numMessages) {}

    @Override
    public void cancel(String message, Throwable cause) {}

    @Override
    public void halfClose() {}

    @Override
    public void sendMessage(Q message) {}
  }

  /**
   * A call whose operations are queued and replayed, in order, once the delay has passed; after
   * that it is the underlying call. The deadline still runs from the stub's own start, so a delay
   * longer than the deadline ends as {@code DEADLINE_EXCEEDED} when the call finally starts.
   */
  private final class DelayedCall<Q, R> extends ClientCall<Q, R> {
    private final ClientCall<Q, R> delegate;
    private final List<Runnable> pending = new ArrayList<>(); // guarded by this
    private boolean released; // guarded by this

    DelayedCall(ClientCall<Q, R> delegate, long delayNanos) {
      this.delegate = delegate;
      delays.schedule(this::release, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void release() {
      while (true) {
        List<Runnable> batch;
        synchronized (this) {
          if (pending.isEmpty()) {
            released = true;
            return;
          }
          batch = new ArrayList<>(pending);
          pending.clear();
        }
        batch.forEach(Runnable::run); // operations queued meanwhile run in the next turn, in order
      }
    }

    private void run(Runnable op) {
      synchronized (this) {
        if (!released) {
          pending.add(op);
          return;
        }
      }
      op.run();
    }

    @Override
    public void start(Listener<R> listener, Metadata headers) {
      run(() -> delegate.start(listener, headers));
    }

    @Override
    public void request(int numMessages) {
      run(() -> delegate.request(numMessages));
    }

    @Override
    public void cancel(String message, Throwable cause) {
      run(() -> delegate.cancel(message, cause));
    }

    @Override
    public void halfClose() {
      run(delegate::halfClose);
    }

    @Override
    public void sendMessage(Q message) {
      run(() -> delegate.sendMessage(message));
    }

    @Override
    public synchronized boolean isReady() {
      return released && delegate.isReady();
    }
  }
}
