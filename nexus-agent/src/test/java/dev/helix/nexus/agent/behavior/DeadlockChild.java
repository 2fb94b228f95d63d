package dev.helix.nexus.agent.behavior;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;

/**
 * A child JVM with a real deadlock (argument {@code cycle}): two threads take two monitors in opposite order, each
 * after the other holds its first one. Prints {@code ready} once the JVM itself reports the deadlock, then waits until
 * its stdin closes (the parent died or closed it) and exits. With argument {@code none} it prints {@code ready} at once
 * and idles the same way: the control. Used by {@link LiveBehaviorTest}.
 */
public final class DeadlockChild {

    private DeadlockChild() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1 || !(args[0].equals("cycle") || args[0].equals("none"))) {
            throw new IllegalArgumentException("usage: DeadlockChild cycle|none, got " + java.util.Arrays.toString(args));
        }
        if (args[0].equals("cycle")) {
            makeDeadlock();
        }
        System.out.println("ready");
        System.out.flush();
        while (System.in.read() >= 0) {
            // wait for the parent to close stdin or die
        }
    }

    private static void makeDeadlock() throws InterruptedException {
        Object a = new Object();
        Object b = new Object();
        CountDownLatch bothHoldOne = new CountDownLatch(2);
        Thread t1 = new Thread(() -> lockBoth(a, b, bothHoldOne), "holds-a-wants-b");
        Thread t2 = new Thread(() -> lockBoth(b, a, bothHoldOne), "holds-b-wants-a");
        t1.setDaemon(true);
        t2.setDaemon(true);
        t1.start();
        t2.start();
        while (ManagementFactory.getThreadMXBean().findDeadlockedThreads() == null) {
            Thread.sleep(10);
        }
    }

    private static void lockBoth(Object first, Object second, CountDownLatch bothHoldOne) {
        synchronized (first) {
            bothHoldOne.countDown();
            try {
                bothHoldOne.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            synchronized (second) {
                throw new IllegalStateException("unreachable: the other thread holds " + second);
            }
        }
    }
}
