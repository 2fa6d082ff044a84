package io.github.futures.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * When a member counts a served call's answer as delivered (ServedCalls' answer states), without a
 * cluster: each test uses a member name of its own.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ServedCallsTest {

    private final String member = "served-calls-test-" + UUID.randomUUID();

    @AfterEach
    void forgetTheMember() {
        ServedCalls.forget(member);
    }

    /** An answer serialized while the member serves (not leaving) is delivered once serialized: no confirmation is asked. */
    @Test
    void answerSerializedWhileServingIsDeliveredOnceSerialized() {
        assertThat(ServedCalls.enter(member)).isTrue();
        ServedCalls.Answer answer = ServedCalls.answering(member, "executor");
        assertThat(ServedCalls.running(member)).isEqualTo(1);
        assertThat(answer.confirmationIfLeaving()).isZero();
        answer.handedOver(); // what Outcome.writeData does after writing it
        assertThat(ServedCalls.running(member)).isZero();
    }

    /**
     * An answer serialized while the member is leaving stays counted until its caller confirms it: its
     * thread moving on to another call does not end it, the confirmation does.
     */
    @Test
    void answerSerializedWhileLeavingStaysCountedUntilItsCallerConfirmsIt() {
        assertThat(ServedCalls.enter(member)).isTrue();
        ServedCalls.Answer answer = ServedCalls.answering(member, "executor");
        assertThat(ServedCalls.drain(member, Duration.ZERO)).as("the member begins to leave").isEqualTo(1);
        long confirmation = answer.confirmationIfLeaving();
        assertThat(confirmation).isPositive();
        assertThat(answer.confirmationIfLeaving()).as("asked once").isEqualTo(confirmation);
        answer.threadMovedOn();
        assertThat(ServedCalls.running(member)).isEqualTo(1);
        ServedCalls.acknowledged(member, confirmation + 1); // someone else's
        assertThat(ServedCalls.running(member)).isEqualTo(1);
        ServedCalls.acknowledged(member, confirmation);
        assertThat(ServedCalls.running(member)).isZero();
    }

    /** A refusal is an answer too: counted until delivered, while the member leaves. */
    @Test
    void refusalIsCountedUntilDelivered() {
        assertThat(ServedCalls.drain(member, Duration.ZERO)).isZero();
        assertThat(ServedCalls.enter(member)).as("a leaving member refuses").isFalse();
        ServedCalls.Answer refusal = ServedCalls.refused(member, "executor");
        assertThat(ServedCalls.running(member)).isEqualTo(1);
        long confirmation = refusal.confirmationIfLeaving();
        assertThat(confirmation).isPositive();
        ServedCalls.acknowledged(member, confirmation);
        assertThat(ServedCalls.running(member)).isZero();
    }

    /** An answer that Hazelcast never sent (its call was cancelled) ends when its thread begins another call. */
    @Test
    void answerNeverSerializedEndsWhenItsThreadMovesOn() {
        assertThat(ServedCalls.enter(member)).isTrue();
        ServedCalls.Answer dropped = ServedCalls.answering(member, "executor");
        dropped.threadMovedOn();
        assertThat(ServedCalls.running(member)).isZero();
        dropped.handedOver(); // later marks change nothing
        assertThat(ServedCalls.running(member)).isZero();
    }

    /** An aborting executor's answers, present and to come, are not waited for; another executor's are. */
    @Test
    void abandonedExecutorsAnswersAreNotCounted() {
        String aborted = "aborted-" + UUID.randomUUID();
        assertThat(ServedCalls.enter(member)).isTrue();
        assertThat(ServedCalls.enter(member)).isTrue();
        ServedCalls.answering(member, aborted);
        ServedCalls.Answer other = ServedCalls.answering(member, "other");
        assertThat(ServedCalls.running(member)).isEqualTo(2);
        ServedCalls.abandon(aborted);
        assertThat(ServedCalls.running(member)).isEqualTo(1);
        assertThat(ServedCalls.enter(member)).isTrue();
        ServedCalls.answering(member, aborted);
        assertThat(ServedCalls.running(member)).isEqualTo(1);
        other.handedOver();
        assertThat(ServedCalls.running(member)).isZero();
    }

    /**
     * The aborted executors remembered are the most recent ABANDONED_LIMIT, not every one of the JVM's life:
     * the newest is still not waited for, one forgotten is counted like any other (a leaving member then
     * waits for it at most ANSWER_GRACE).
     */
    @Test
    void onlyTheMostRecentAbortedExecutorsAreRemembered() {
        String oldest = "aborted-oldest-" + UUID.randomUUID();
        ServedCalls.abandon(oldest);
        String newest = null;
        for (int i = 0; i < ServedCalls.ABANDONED_LIMIT; i++) {
            newest = "aborted-" + i + "-" + UUID.randomUUID();
            ServedCalls.abandon(newest);
        }
        assertThat(ServedCalls.enter(member)).isTrue();
        ServedCalls.answering(member, newest);
        assertThat(ServedCalls.running(member)).as("the newest aborted executor's answer").isZero();
        assertThat(ServedCalls.enter(member)).isTrue();
        ServedCalls.Answer forgotten = ServedCalls.answering(member, oldest);
        assertThat(ServedCalls.running(member)).as("the forgotten one's answer").isEqualTo(1);
        forgotten.handedOver();
        assertThat(ServedCalls.running(member)).isZero();
    }
}
