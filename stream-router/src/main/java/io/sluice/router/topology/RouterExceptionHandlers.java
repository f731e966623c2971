package io.sluice.router.topology;

import io.sluice.schemas.ErrorCodes;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Kafka Streams 4.1's processing (KIP-1033) and production exception handlers of the router. Both
 * leave the decision to {@link RecordFailures}: FAIL (the thread is replaced and the record tried
 * again) while tries are left or the failure is transient, CONTINUE only after the record has been
 * dead-lettered. (4.1 has no handler-built dead letters yet, KIP-1034, so they are written here.)
 */
public final class RouterExceptionHandlers {
  private RouterExceptionHandlers() {}

  private static RecordFailures from(Map<String, ?> configs) {
    Object f = configs.get(RecordFailures.CONFIG_KEY);
    if (!(f instanceof RecordFailures failures)) {
      throw new IllegalStateException(RecordFailures.CONFIG_KEY + " is not set");
    }
    return failures;
  }

  /** For exceptions thrown by the router's processors and punctuators. */
  public static final class Processing implements ProcessingExceptionHandler {
    private RecordFailures failures;

    @Override
    public void configure(Map<String, ?> configs) {
      failures = from(configs);
    }

    @Override
    public ProcessingHandlerResponse handle(
        ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
      return failures.failed(
                  context, context.sourceRawValue(), ErrorCodes.INTERNAL, exception, false)
              == RecordFailures.Decision.SKIPPED
          ? ProcessingHandlerResponse.CONTINUE
          : ProcessingHandlerResponse.FAIL;
    }
  }

  /** For records the producer refused (too large, invalid) or could not serialize. */
  public static final class Production implements ProductionExceptionHandler {
    private RecordFailures failures;

    @Override
    public void configure(Map<String, ?> configs) {
      failures = from(configs);
    }

    @Override
    public ProductionExceptionHandlerResponse handle(
        ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
      // Too large never succeeds on a retry: dead-letter at once (the record is what was refused).
      boolean tooLarge = exception instanceof RecordTooLargeException;
      return failures.failed(
                  context,
                  record.value(),
                  tooLarge ? ErrorCodes.PAYLOAD_TOO_LARGE : ErrorCodes.INTERNAL,
                  exception,
                  tooLarge)
              == RecordFailures.Decision.SKIPPED
          ? ProductionExceptionHandlerResponse.CONTINUE
          : ProductionExceptionHandlerResponse.FAIL;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public ProductionExceptionHandlerResponse handleSerializationException(
        ErrorHandlerContext context,
        ProducerRecord record,
        Exception exception,
        SerializationExceptionOrigin origin) {
      return failures.failed(
                  context, context.sourceRawValue(), ErrorCodes.INTERNAL, exception, false)
              == RecordFailures.Decision.SKIPPED
          ? ProductionExceptionHandlerResponse.CONTINUE
          : ProductionExceptionHandlerResponse.FAIL;
    }
  }
}
