package io.sluice.functions.internal.runtime;

import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * Classifies a failed producer send by type: fatal (the producer can write nothing any more),
 * transient (worth sending again), or else permanent for that one record (dead-letter it).
 */
final class SendFailures {
  private SendFailures() {}

  /** The producer itself is broken or closed: no record can be written by it any more. */
  static boolean isFatal(Throwable e) {
    return e instanceof ProducerFencedException
        || e instanceof InvalidProducerEpochException
        || e instanceof OutOfOrderSequenceException
        || e instanceof AuthenticationException
        || e instanceof UnsupportedVersionException
        || e instanceof IllegalStateException // the producer was closed
        || e instanceof org.apache.kafka.common.errors.InterruptException;
  }

  /** A timeout, a leader change, too few replicas: the same record may succeed later. */
  static boolean isTransient(Throwable e) {
    return e instanceof RetriableException;
  }
}
