import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.decoder.Decoder;
import com.aayushatharva.brotli4j.encoder.Encoder;
import java.nio.file.*;

/** Brotli quality and window on one ~1 KiB JSON value: compressed size, encode and decode time. */
public class BrotliLevels {
    public static void main(String[] a) throws Exception {
        Brotli4jLoader.ensureAvailability();
        byte[] v = Files.readAllBytes(Path.of(a[0]));
        for (int q : new int[] {0, 1, 2, 3, 4, 5, 6}) {
            for (int w : new int[] {10, 16}) {
                Encoder.Parameters p = new Encoder.Parameters().setQuality(q).setWindow(w).setMode(Encoder.Mode.TEXT);
                byte[] c = null;
                for (int i = 0; i < 20000; i++) c = Encoder.compress(v, p);
                long t = System.nanoTime();
                int n = 50000;
                for (int i = 0; i < n; i++) c = Encoder.compress(v, p);
                double enc = (System.nanoTime() - t) / 1000.0 / n;
                t = System.nanoTime();
                for (int i = 0; i < n; i++) Decoder.decompress(c);
                double dec = (System.nanoTime() - t) / 1000.0 / n;
                System.out.printf("q%d w%d: %d -> %d bytes (%.2fx), encode %.1f us, decode %.1f us%n", q, w, v.length, c.length, (double) v.length / c.length, enc, dec);
            }
        }
    }
}
