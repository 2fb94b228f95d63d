package dev.helix.nexus.agent.cli;

import dev.helix.nexus.agent.plot.NabPlots;
import dev.helix.nexus.agent.plot.PlotInputException;
import dev.helix.nexus.agent.plot.SmdPlots;
import dev.helix.nexus.core.clock.EngineClock;
import dev.helix.nexus.detect.DetectorCatalog;
import dev.helix.nexus.detect.eval.MalformedDataException;
import dev.helix.nexus.detect.eval.NabEvaluation;
import dev.helix.nexus.detect.eval.SmdEvaluation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nexus eval nab|smd}: the honest measure of detection quality on external labelled data. Progress lines and
 * results go to the command's standard output while the evaluation runs; with {@code --plot} one PNG per NAB file or
 * SMD machine is written under {@code OUT/plots/} afterwards, built from the files the evaluation wrote.
 *
 * <p>Exit codes: 0 done; 2 bad usage ({@code --data} not a directory, an unknown {@code --detector}, listing the
 * known names); 1 bad or missing input (a malformed file, named with its line; a missing file, named; a directory
 * without machines), printed as one line {@code nexus eval nab|smd: ...} without a stack trace.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate the detectors on labelled data (NAB, SMD).",
        subcommands = {EvalCommand.Nab.class, EvalCommand.Smd.class})
public final class EvalCommand extends GroupCommand {

    /** What both evaluations take: a data directory, an output directory and optionally a detector name. */
    abstract static class Evaluation implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--data", required = true, paramLabel = "DIR", description = "The data set's directory.")
        Path data;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where results are written.")
        Path out;

        @Option(names = "--detector", paramLabel = "NAME", description = "A catalogued detector (default: the data set's default configuration).")
        String detector;

        @Option(names = "--plot", description = "Also write one PNG per file/machine under OUT/plots/ (series, score, labels, alerts).")
        boolean plot;

        @Override
        public Integer call() throws Exception {
            if (!Files.isDirectory(data)) {
                spec.commandLine().getErr().println("nexus: --data " + data + " is not a directory");
                return ExitCodes.USAGE;
            }
            if (detector != null && !knownDetectors().contains(detector)) {
                spec.commandLine().getErr().println("nexus eval " + spec.name() + ": unknown --detector '" + detector
                        + "'; known: " + String.join(", ", knownDetectors()));
                return ExitCodes.USAGE;
            }
            PrintStream progress = new PrintStream(new WriterStream(spec.commandLine().getOut()), true,
                    StandardCharsets.UTF_8);
            try {
                Plotter plotter = run(progress);
                if (plot) {
                    plotter.plot(progress);
                }
            } catch (PlotInputException | MalformedDataException e) {
                progress.flush();
                spec.commandLine().getErr().println("nexus eval " + spec.name() + ": " + e.getMessage());
                return ExitCodes.FAILURE;
            } catch (NoSuchFileException e) {
                progress.flush();
                spec.commandLine().getErr().println("nexus eval " + spec.name() + ": missing file " + e.getFile()
                        + (e.getReason() == null ? "" : " (" + e.getReason() + ")"));
                return ExitCodes.FAILURE;
            } catch (IOException e) {
                progress.flush();
                spec.commandLine().getErr().println("nexus eval " + spec.name() + ": " + e.getMessage());
                return ExitCodes.FAILURE;
            } finally {
                progress.flush();
            }
            return ExitCodes.OK;
        }

        /** The names {@code --detector} accepts, in the order they are listed. */
        abstract List<String> knownDetectors();

        /** Runs the evaluation, printing progress; returns how to plot what it wrote. */
        abstract Plotter run(PrintStream progress) throws Exception;
    }

    /** Writes the plots of a finished evaluation. */
    @FunctionalInterface
    interface Plotter {
        void plot(PrintStream progress) throws Exception;
    }

    /** The NAB corpus with one fixed detector configuration, scored by the Java port of the NAB scorer. */
    @Command(name = "nab", mixinStandardHelpOptions = true,
            description = "Run one fixed detector configuration over the NAB corpus (--data holds data/ and labels/), write OUT/results/<detector>/... and print oracle and fixed-threshold scores; --plot adds OUT/plots/<detector>/<category>/<file>.png.")
    static final class Nab extends Evaluation {
        @Override
        List<String> knownDetectors() {
            List<String> names = new ArrayList<>(DetectorCatalog.univariateNames());
            names.addAll(DetectorCatalog.learningNames());
            return names;
        }

        @Override
        Plotter run(PrintStream progress) throws Exception {
            NabEvaluation.NabReport rep = detector == null
                    ? NabEvaluation.run(data, out, progress)
                    : NabEvaluation.run(data, out, progress, detector);
            // the report's threshold is the catalogued fixed threshold the evaluation scored with
            return p -> NabPlots.plotAll(data, out, rep.detector(), rep.fixedThreshold(), p, EngineClock.system());
        }
    }

    /** SMD: learn on each machine's train part, score its test part. */
    @Command(name = "smd", mixinStandardHelpOptions = true,
            description = "For each machine in --data learn on train, score test, write OUT/<machine>.csv (score,alert) and print P/R/F1, best-F1 and point-adjusted F1; --plot adds OUT/plots/<machine>.png.")
    static final class Smd extends Evaluation {
        @Override
        List<String> knownDetectors() {
            return SmdEvaluation.DETECTORS;
        }

        @Override
        Plotter run(PrintStream progress) throws Exception {
            SmdEvaluation.SmdReport rep = detector == null
                    ? SmdEvaluation.run(data, out, progress)
                    : SmdEvaluation.run(data, out, progress, detector);
            return p -> SmdPlots.plotAll(data, out, rep.detector(), p, EngineClock.system());
        }
    }

    /**
     * Bytes to a {@link PrintWriter}: buffers UTF-8 bytes and hands the decoded text over on every flush, so the
     * evaluations' {@link PrintStream} progress reaches picocli's (redirectable) output. Thread-safe (synchronized).
     */
    private static final class WriterStream extends OutputStream {
        private final PrintWriter out;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

        WriterStream(PrintWriter out) {
            this.out = out;
        }

        @Override
        public synchronized void write(int b) {
            buf.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            buf.write(b, off, len);
        }

        @Override
        public synchronized void flush() {
            if (buf.size() > 0) {
                out.print(buf.toString(StandardCharsets.UTF_8));
                buf.reset();
            }
            out.flush();
        }
    }
}
