package io.sluice.router.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.avro.BatchingSettings;
import io.sluice.avro.Priority;
import org.junit.jupiter.api.Test;

class BatchLimitsTest {
  @Test
  void bulkWaitsTheLargerOfMaxWaitMsAnd100MsWhenNotSet() {
    assertThat(new BatchLimits(8, 5, null).maxWaitMs(Priority.BULK)).isEqualTo(100);
    assertThat(new BatchLimits(8, 5, null).maxWaitMs(Priority.INTERACTIVE)).isEqualTo(5);
    assertThat(new BatchLimits(8, 0, null).maxWaitMs(Priority.BULK)).isEqualTo(100);
    assertThat(new BatchLimits(8, 250, null).maxWaitMs(Priority.BULK)).isEqualTo(250);
  }

  @Test
  void theRouteTablesValueIsUsedAndItsNullMeansTheDefault() {
    BatchingSettings unset =
        BatchingSettings.newBuilder().setMaxBatchSize(32).setMaxWaitMs(5).build();
    assertThat(unset.getBulkMaxWaitMs()).isNull();
    assertThat(BatchLimits.of(unset)).isEqualTo(new BatchLimits(32, 5, null, 100));

    BatchingSettings set = BatchingSettings.newBuilder(unset).setBulkMaxWaitMs(400L).build();
    BatchLimits limits = BatchLimits.of(set);
    assertThat(limits.maxWaitMs(Priority.BULK)).isEqualTo(400);
    assertThat(limits.maxWaitMs(Priority.INTERACTIVE)).isEqualTo(5);
  }

  @Test
  void aNegativeBulkWaitIsRefused() {
    assertThatThrownBy(() -> new BatchLimits(8, 5, null, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bulkMaxWaitMs must be 0 or more: -1");
  }
}
