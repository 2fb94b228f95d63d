package dev.helix.nexus.agent.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code nexus version}: prints the NEXUS version, the Java runtime and the OS. */
@Command(name = "version", description = "Print the NEXUS version, Java runtime and OS.", mixinStandardHelpOptions = true)
public final class VersionCommand implements Callable<Integer>, IVersionProvider {

    @Spec
    CommandSpec spec;

    /** The version from the build, or {@code unknown}. */
    public static String version() {
        try (InputStream in = VersionCommand.class.getResourceAsStream("/nexus-version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {
            "nexus " + version(),
            "java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
            "os " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch")
        };
    }

    @Override
    public Integer call() {
        for (String line : getVersion()) {
            spec.commandLine().getOut().println(line);
        }
        return ExitCodes.OK;
    }
}
