package io.github.futures.reliability;

/**
 * Exceptions that cannot be described, shared by the tests that throw them at the pools: from calls,
 * initializers, done callbacks, listeners, and the serialization of results and calls in worker JVMs.
 */
final class HostileThrowables {

    private HostileThrowables() {
    }

    /** An exception that cannot say what it is: its message and its description throw. */
    static final class Mute extends RuntimeException {
        private static final long serialVersionUID = 1L;

        @Override
        public String getMessage() {
            throw new IllegalStateException("getMessage refuses");
        }

        @Override
        public String toString() {
            throw new IllegalStateException("toString refuses");
        }
    }

    /** An exception whose description never ends: its message describes itself (a stack overflow). */
    static final class SelfDescribing extends RuntimeException {
        private static final long serialVersionUID = 1L;

        @Override
        public String getMessage() {
            return "while handling " + this;
        }
    }
}
