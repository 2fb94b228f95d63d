package dev.helix.nexus.telemetry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The byte-level parsers give exactly what the String parsers give on the same bytes read as ISO-8859-1, for
 * arbitrary Latin-1 input and for near-valid stat lines with one field damaged.
 */
class BytesProperties {

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Property(tries = 2000)
    void parseLongAgreesWithTexts(@ForAll("numberish") String s) {
        byte[] b = latin1(s);
        assertThat(Bytes.parseLong(b, 0, b.length)).as("'%s'", s).isEqualTo(Texts.parseLong(s));
    }

    @Property(tries = 2000)
    void fieldsAgreeWithRegexSplit(@ForAll("latin1Text") String s) {
        String t = s.strip();
        String[] expected = t.isEmpty() ? new String[0] : t.split("\\s+");
        assertThat(Texts.fields(s)).as("'%s'", s).containsExactly(expected);
        byte[] b = latin1(s);
        int[] starts = new int[64];
        int[] ends = new int[64];
        int n = Bytes.fields(b, 0, b.length, starts, ends);
        assertThat(n).isEqualTo(expected.length);
        for (int i = 0; i < Math.min(n, 64); i++) {
            assertThat(new String(b, starts[i], ends[i] - starts[i], StandardCharsets.ISO_8859_1)).isEqualTo(expected[i]);
        }
    }

    @Property(tries = 2000)
    void regionParsersAgreeWithSubstringParsers(@ForAll("latin1Text") String prefix, @ForAll("numberish") String s,
                                                @ForAll("latin1Text") String suffix) {
        String all = prefix + s + suffix;
        int from = prefix.length();
        int to = from + s.length();
        assertThat(Texts.parseLong(all, from, to)).as("'%s'", s).isEqualTo(Texts.parseLong(s));
        assertThat(Texts.isBlank(all, from, to)).isEqualTo(s.isBlank());
        assertThat(Texts.regionEquals(all, from, to, s)).isTrue();
        assertThat(Texts.regionEquals(all, from, to, s + "x")).isFalse();
        String[] expected = Texts.fields(s);
        int[] starts = new int[8];
        int[] ends = new int[8];
        int n = Texts.fields(all, from, to, starts, ends);
        assertThat(n).isEqualTo(expected.length);
        for (int i = 0; i < Math.min(n, 8); i++) {
            assertThat(all.substring(starts[i], ends[i])).isEqualTo(expected[i]);
        }
    }

    @Property(tries = 1000)
    void textsFieldsAgreesWithRegexSplitBeyondLatin1(@ForAll String s) {
        String t = s.strip();
        String[] expected = t.isEmpty() ? new String[0] : t.split("\\s+");
        assertThat(Texts.fields(s)).containsExactly(expected);
    }

    @Property(tries = 3000)
    void statLineAgreesWithPidStat(@ForAll("statLines") String s) {
        byte[] b = latin1(s);
        byte[] padded = Arrays.copyOf(b, b.length + 7); // bytes past the length must be ignored
        Arrays.fill(padded, b.length, padded.length, (byte) ')');
        PidStat expected = PidStat.parse(s);
        StatLine line = new StatLine();
        boolean ok = line.parse(padded, b.length);
        assertThat(ok).as("'%s'", s).isEqualTo(expected != null);
        if (ok) {
            assertThat(new PidStat(line.pid, line.comm(padded), line.state, line.utimeTicks, line.stimeTicks,
                    line.threads, line.startTime, line.rssPages)).isEqualTo(expected);
            assertThat(line.commEquals(padded, expected.comm())).isTrue();
            assertThat(line.commEquals(padded, expected.comm() + "x")).isFalse();
        }
    }

    @Property(tries = 1000)
    void stateOnlyIsTheByteTwoAfterTheLastParen(@ForAll("statLines") String s) {
        byte[] b = latin1(s);
        int close = s.lastIndexOf(')');
        char expected = close > 0 && close + 2 < s.length() ? s.charAt(close + 2) : 0;
        assertThat(StatLine.stateOnly(b, b.length)).isEqualTo(expected);
    }

    @Property(tries = 3000)
    void parseDoubleAgreesWithTextsBitForBit(@ForAll("decimalish") String s) {
        byte[] b = latin1(s);
        assertThat(Double.doubleToRawLongBits(Bytes.parseDouble(b, 0, b.length))).as("'%s'", s)
                .isEqualTo(Double.doubleToRawLongBits(Texts.parseDouble(s)));
    }

    @Provide
    Arbitrary<String> decimalish() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("0123456789.").ofMaxLength(18),
                Arbitraries.strings().withChars("0123456789.-+eExXdDfF \tNaIinfty").ofMaxLength(20),
                Arbitraries.doubles().between(0, 1e6).map(d -> Double.toString(d)),
                Arbitraries.bigDecimals().between(java.math.BigDecimal.ZERO, new java.math.BigDecimal("1e9"))
                        .ofScale(6).map(java.math.BigDecimal::toPlainString),
                Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(12));
    }

    @Provide
    Arbitrary<String> latin1Text() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(80),
                Arbitraries.strings().withChars(" \t\n\u000b\f\r\u001c\u001f\u0085\u00a0ab1").ofMaxLength(40));
    }

    @Provide
    Arbitrary<String> numberish() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("0123456789- \t\u001c\u00a0x").ofMaxLength(25),
                Arbitraries.longs().map(v -> Long.toString(v)),
                Arbitraries.longs().map(v -> Long.toUnsignedString(v)),
                Arbitraries.of("18446744073709551615", "18446744073709551616", "99999999999999999999", "-0", "-",
                        "", " 42 ", "\u001c7\u001f", "00000000000000000001", "9223372036854775808"));
    }

    @Provide
    Arbitrary<String> statLines() {
        String valid = "4242 (my (app) x) S 1 4242 4242 0 -1 4194560 5000 0 10 0 150 50 0 0 20 0 2 0 48000 "
                + "1048576000 25600 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
        Arbitrary<String> garbage = Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(6),
                Arbitraries.strings().withChars("0123456789 ()-\t\u001c").ofMaxLength(6));
        Arbitrary<String> damaged = Combinators.combine(Arbitraries.integers().between(0, valid.length()),
                Arbitraries.integers().between(0, 4), garbage).as((at, cut, g) ->
                valid.substring(0, at) + g + valid.substring(Math.min(valid.length(), at + cut)));
        Arbitrary<String> longComm = Arbitraries.strings().withCharRange(' ', '\u00ff').ofMinLength(50).ofMaxLength(90)
                .map(c -> "7 (" + c + ") R 0 0 0 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 5 0 7");
        return Arbitraries.oneOf(damaged, longComm, Arbitraries.strings().withCharRange('\u0000', '\u00ff')
                .ofMaxLength(120), Arbitraries.just(valid));
    }
}
