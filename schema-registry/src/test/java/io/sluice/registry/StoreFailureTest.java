package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.registry.RegistryClient.Reply;
import io.sluice.registry.store.InMemorySchemaStore;
import io.sluice.registry.store.SchemaStore;
import io.sluice.registry.store.SchemaStoreException;
import io.sluice.registry.store.StoreRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A write the store did not acknowledge is reported as Confluent does, and not applied. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StoreFailureTest {

  /** A store whose appends fail with a chosen exception, or succeed when it is null. */
  private static final class FailingSchemaStore implements SchemaStore {
    private final InMemorySchemaStore delegate = new InMemorySchemaStore();
    private volatile SchemaStoreException failure;

    @Override
    public void load(Consumer<StoreRecord> sink, Duration timeout) {
      delegate.load(sink, timeout);
    }

    @Override
    public void append(StoreRecord record, Duration timeout) {
      if (failure != null) {
        throw failure;
      }
      delegate.append(record, timeout);
    }

    @Override
    public void close() {}
  }

  @Test
  void backendErrorsAre50001AndTimeouts50002AndNothingIsRegistered() {
    FailingSchemaStore store = new FailingSchemaStore();
    try (EmbeddedSchemaRegistry registry =
        EmbeddedSchemaRegistry.builder(store, 0).host("127.0.0.1").build().start()) {
      RegistryClient client = new RegistryClient(registry.url());

      store.failure = new SchemaStoreException("broker said no", null);
      Reply error = client.register("users-value", Schemas.USER_V1);
      assertThat(error.status()).isEqualTo(500);
      assertThat(error.errorCode()).isEqualTo(50001);
      assertThat(error.json().getString("message")).isEqualTo("Error in the backend data store");

      store.failure = new SchemaStoreException.Timeout("no ack", null);
      Reply timeout = client.put("/config", new JsonObject().put("compatibility", "NONE"));
      assertThat(timeout.status()).isEqualTo(500);
      assertThat(timeout.errorCode()).isEqualTo(50002);

      assertThat(client.get("/subjects").array()).isEqualTo(new JsonArray());
      assertThat(client.get("/config").json().getString("compatibilityLevel"))
          .isEqualTo("BACKWARD");

      store.failure = null;
      assertThat(client.register("users-value", Schemas.USER_V1).json().getInteger("id"))
          .isEqualTo(1);
    }
  }
}
