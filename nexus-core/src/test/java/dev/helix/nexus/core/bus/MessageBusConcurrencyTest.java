package dev.helix.nexus.core.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.helix.nexus.core.Domain;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

class MessageBusConcurrencyTest {

    private static final int PRODUCERS = 4;
    private static final int PER_PRODUCER = 50_000;
    private static final int CAPACITY = 64;
    /** Legal routes the producers use, plus one illegal one so that rejections are exercised too. */
    private static final Domain[][] ROUTES = {
        {Domain.SENSE, Domain.UNDERSTAND},
        {Domain.UNDERSTAND, Domain.REASON},
        {Domain.REASON, Domain.DECIDE},
        {Domain.DECIDE, Domain.ACT},
        {Domain.ACT, Domain.MEMORY},
        {Domain.MEMORY, Domain.REFLECT},
        {Domain.ACT, Domain.SENSE}, // illegal
    };

    private record ProducerCounts(long accepted, long droppedSelf, long rejected) {
    }

    @Test
    void overloadedBusWithConcurrentProducersLosesNothingUncountedAndStaysBounded() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            AtomicLongArray droppedSeen = new AtomicLongArray(Priority.values().length);
            MessageBus bus = new MessageBus(CAPACITY, m -> droppedSeen.incrementAndGet(m.priority().ordinal()));
            ExecutorService pool = Executors.newFixedThreadPool(PRODUCERS + 1);
            try {
                CountDownLatch start = new CountDownLatch(1);
                AtomicBoolean producing = new AtomicBoolean(true);
                AtomicLong delivered = new AtomicLong();
                AtomicLong outOfOrderBatches = new AtomicLong();

                Future<?> consumer = pool.submit(() -> {
                    List<Message> batch = new ArrayList<>();
                    start.await();
                    while (true) {
                        boolean more = producing.get();
                        int drainedThisPass = 0;
                        for (Domain d : Domain.values()) {
                            batch.clear();
                            int n = bus.drain(d, batch, 16);
                            drainedThisPass += n;
                            delivered.addAndGet(n);
                            for (int i = 1; i < batch.size(); i++) {
                                if (batch.get(i).priority().compareTo(batch.get(i - 1).priority()) > 0) {
                                    outOfOrderBatches.incrementAndGet();
                                }
                            }
                        }
                        if (!more && drainedThisPass == 0) {
                            return null; // producers finished and a whole pass found nothing left
                        }
                        Thread.onSpinWait();
                    }
                });

                List<Future<ProducerCounts>> producers = new ArrayList<>();
                for (int p = 0; p < PRODUCERS; p++) {
                    long seed = 1234L + p;
                    producers.add(pool.submit(() -> {
                        SplittableRandom rnd = new SplittableRandom(seed);
                        Priority[] priorities = Priority.values();
                        long accepted = 0;
                        long droppedSelf = 0;
                        long rejected = 0;
                        start.await();
                        for (int i = 0; i < PER_PRODUCER; i++) {
                            Domain[] route = ROUTES[rnd.nextInt(ROUTES.length)];
                            Message m = new Message(route[0], route[1], priorities[rnd.nextInt(priorities.length)], i, i);
                            try {
                                if (bus.offer(m)) {
                                    accepted++;
                                } else {
                                    droppedSelf++;
                                }
                            } catch (RoutingException e) {
                                rejected++;
                            }
                            BusStats s = (i & 1023) == 0 ? bus.stats() : null;
                            if (s != null && s.queued() > s.capacity()) {
                                throw new AssertionError("queued " + s.queued() + " exceeds capacity " + s.capacity());
                            }
                        }
                        return new ProducerCounts(accepted, droppedSelf, rejected);
                    }));
                }

                start.countDown();
                long accepted = 0;
                long droppedSelf = 0;
                long rejected = 0;
                for (Future<ProducerCounts> f : producers) {
                    ProducerCounts c = f.get();
                    accepted += c.accepted();
                    droppedSelf += c.droppedSelf();
                    rejected += c.rejected();
                }
                producing.set(false);
                consumer.get();

                BusStats s = bus.stats();
                long total = (long) PRODUCERS * PER_PRODUCER;
                assertThat(s.offered()).isEqualTo(total);
                assertThat(s.offered()).isEqualTo(s.queued() + s.delivered() + s.dropped() + s.rejected());
                assertThat(s.rejected()).isEqualTo(rejected).isPositive();
                assertThat(s.delivered()).isEqualTo(delivered.get());
                assertThat(s.queued()).as("the consumer drained everything after the producers stopped").isZero();
                assertThat(accepted + droppedSelf + rejected).isEqualTo(total);
                // every accepted message was either delivered or later evicted
                assertThat(s.delivered() + (s.dropped() - droppedSelf)).isEqualTo(accepted);
                assertThat(s.dropped()).as("the bus really was overloaded").isPositive();
                assertThat(s.highWatermark()).isLessThanOrEqualTo(s.capacity()).isEqualTo(CAPACITY);

                long sumByPriority = 0;
                for (Priority p : Priority.values()) {
                    assertThat(s.dropped(p)).as("drops of %s", p).isEqualTo(droppedSeen.get(p.ordinal()));
                    sumByPriority += s.dropped(p);
                }
                assertThat(sumByPriority).isEqualTo(s.dropped());
                assertThat(s.dropped(Priority.LOW)).as("lowest priority is dropped first")
                        .isGreaterThanOrEqualTo(s.dropped(Priority.CRITICAL));
                assertThat(outOfOrderBatches.get()).as("each drain hands out highest priority first").isZero();
            } finally {
                pool.shutdownNow();
            }
        });
    }
}
