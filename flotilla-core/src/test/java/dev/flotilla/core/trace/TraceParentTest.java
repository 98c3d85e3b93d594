package dev.flotilla.core.trace;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TraceParentTest {

    @Test
    void continuesAValidTraceWithANewParent() {
        String incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        String next = TraceParent.next(incoming);
        assertThat(TraceParent.isValid(next)).isTrue();
        assertThat(TraceParent.traceId(next)).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(next).isNotEqualTo(incoming).endsWith("-01");
        String unsampled = TraceParent.next("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
        assertThat(unsampled).startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-").endsWith("-00");
        assertThat(TraceParent.isValid(unsampled)).isTrue();
    }

    @Test
    void startsANewTraceWhenAbsentOrMalformed() {
        for (String bad : new String[] {null, "", "00-xyz", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"}) {
            String next = TraceParent.next(bad);
            assertThat(TraceParent.isValid(next)).as(String.valueOf(bad)).isTrue();
        }
        assertThat(TraceParent.traceId(TraceParent.next(null))).isNotEqualTo(TraceParent.traceId(TraceParent.next(null)));
    }
}
