package dev.flotilla.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogTailTest {

    @TempDir
    Path dir;

    @Test
    void theLastLinesThenWholeLinesAsTheyComeAndFromTheStartAfterARotation() throws Exception {
        Path file = dir.resolve("web.log");
        LogTail tail = new LogTail(file);
        assertThat(tail.fresh()).isEmpty(); // nothing before last()
        assertThat(tail.last(2)).isEmpty(); // no file yet

        Files.writeString(file, "one\ntwo\nthree\n");
        assertThat(tail.fresh()).containsExactly("one", "two", "three");
        assertThat(new LogTail(file).last(2)).containsExactly("two", "three");

        Files.writeString(file, "fo", StandardOpenOption.APPEND);
        assertThat(tail.fresh()).isEmpty(); // half a line waits for its end
        Files.writeString(file, "ur\n\nfive\n", StandardOpenOption.APPEND);
        assertThat(tail.fresh()).containsExactly("four", "", "five");

        Files.writeString(file, "rotated\n"); // shorter than what was read: a new file
        assertThat(tail.fresh()).containsExactly("rotated");
    }
}
