package dev.helix.nexus.telemetry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Property test (issue 3, "jqwik property tests for every parser") of the {@code /proc/<pid>/limits} parser behind
 * {@link FdBudget}: any content gives -1 (unknown), {@code Long.MAX_VALUE} (unlimited) or a non-negative limit, never
 * an exception; a well-formed "Max open files" line gives its soft limit whatever lines surround it; the budget never
 * exceeds the request nor the share of the limit.
 */
class Issue3FdBudgetProperties {

    private static Path file;

    @BeforeContainer
    static void makeFile() throws Exception {
        file = Files.createTempFile("nexus-issue3-limits-", ".txt");
    }

    @AfterContainer
    static void removeFile() throws Exception {
        Files.deleteIfExists(file);
    }

    @Property(tries = 500)
    void anyContentGivesUnknownUnlimitedOrANonNegativeLimit(@ForAll("contents") String text) throws Exception {
        Files.write(file, text.getBytes(StandardCharsets.ISO_8859_1));
        long v = FdBudget.softLimit(file);
        assertThat(v == -1 || v >= 0).as("%d for %s", v, text).isTrue();
        if (!text.contains("Max open files")) {
            assertThat(v).isEqualTo(-1);
        }
    }

    @Property(tries = 300)
    void theSoftLimitOfAWellFormedLineIsFoundAmongOtherLines(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long soft,
                                                            @ForAll("contents") String before,
                                                            @ForAll boolean unlimited) throws Exception {
        String cleanBefore = before.replace("Max open files", "Max open fils");
        String line = "Max open files            " + (unlimited ? "unlimited" : Long.toString(soft))
                + "                1048576              files     ";
        String text = cleanBefore + (cleanBefore.isEmpty() || cleanBefore.endsWith("\n") ? "" : "\n") + line
                + "\nMax locked memory         8388608              8388608              bytes     \n";
        Files.write(file, text.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(FdBudget.softLimit(file)).isEqualTo(unlimited ? Long.MAX_VALUE : soft);
    }

    @Property(tries = 300)
    void theBudgetNeverExceedsTheRequestNorTheShareOfTheLimit(@ForAll int requested,
                                                              @ForAll @LongRange(min = -1, max = Long.MAX_VALUE) long limit) {
        int cap = FdBudget.cap(requested, limit);
        assertThat(cap).isBetween(0, Math.max(0, requested));
        long share = limit < 0 ? FdBudget.FALLBACK_CAP : limit / FdBudget.SHARE_DENOMINATOR;
        assertThat((long) cap).isLessThanOrEqualTo(share);
        if (requested > 0) {
            assertThat((long) cap).isEqualTo(Math.min(requested, share));
        }
    }

    @Provide
    Arbitrary<String> contents() {
        Arbitrary<String> real = Arbitraries.of(
                "Limit                     Soft Limit           Hard Limit           Units     \n"
                        + "Max cpu time              unlimited            unlimited            seconds   \n"
                        + "Max open files            1024                 1048576              files     \n",
                "Max open files\n", "Max open files            \n", "Max open files   -5  7 files\n",
                "Max open files   99999999999999999999  7 files\n", "Max open files\tunlimited\tunlimited\n");
        Arbitrary<String> noise = Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(200);
        Arbitrary<String> words = Arbitraries.strings().withChars("Max open files unlimited0123456789 \t\n-").ofMaxLength(120);
        return Arbitraries.oneOf(real, noise, words);
    }
}
