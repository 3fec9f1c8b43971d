package io.allidb.operator.ring;

import io.allidb.operator.api.RingMemberState;

/** One ring member as some node sees it. {@code DOWN} means that node cannot reach it. */
public record MemberView(String pod, String hostId, String rack, RingMemberState state) {}
