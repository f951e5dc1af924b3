package dev.datastores.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/**
 * An import reports a line that is not UTF-8 at its own number, and reads every line before it as sent, wherever the
 * line falls in the stream's buffers.
 */
class LineReaderPropertiesTest {

    @Property(tries = 200)
    void aLineThatIsNotUtf8FailsAtItsOwnNumberAfterEveryLineBeforeIt(
            @ForAll @Size(min = 1, max = 40) List<@StringLength(max = 3000) String> lines, @ForAll @IntRange(max = 39) int at)
            throws IOException {
        int bad = Math.min(at, lines.size());
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int i = 0; i < lines.size(); i++) {
            if (i == bad) {
                body.write(new byte[] {'x', (byte) 0xC0, (byte) 0xAF, '\n'});
            }
            body.write(lines.get(i).replace("\n", " ").replace("\r", " ").getBytes(StandardCharsets.UTF_8));
            body.write('\n');
        }
        if (bad == lines.size()) {
            body.write(new byte[] {(byte) 0xFF, '\n'});
        }
        LineReader reader = new LineReader(new ByteArrayInputStream(body.toByteArray()), 1 << 20);

        for (int i = 0; i < bad; i++) {
            String expected = new String(lines.get(i).replace("\n", " ").replace("\r", " ").getBytes(StandardCharsets.UTF_8),
                    StandardCharsets.UTF_8);
            assertThat(reader.next()).isEqualTo(expected);
        }
        assertThatThrownBy(reader::next).isInstanceOf(CharacterCodingException.class);
        assertThat(reader.lineNumber()).isEqualTo(bad + 1);
    }
}
