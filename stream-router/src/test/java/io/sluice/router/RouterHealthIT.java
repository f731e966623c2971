package io.sluice.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.avro.InferenceBatch;
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.JsonInput;
import io.sluice.common.config.SluiceConfig;
import io.sluice.common.ops.Metrics;
import io.sluice.registry.EmbeddedSchemaRegistry;
import io.sluice.registry.store.InMemorySchemaStore;
import io.sluice.router.cli.RoutesCommand;
import io.sluice.router.route.RouteFiles;
import io.sluice.schemas.Topics;
import io.sluice.schemas.serde.AvroSerializer;
import io.sluice.schemas.serde.SchemaRegistries;
import io.sluice.testkit.Acks;
import io.sluice.testkit.KafkaCluster;
import io.sluice.testkit.SluiceKafka;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Defect 5: /readyz must go DOWN, with a reason, while the router cannot route (here: the Schema
 * Registry stops answering when a record with a schema id the router has not seen arrives), and
 * come back once it can. Also defect 2 on a real broker: two 600 KB requests of one app and a small
 * request of another app, all with the same key (the same batching partition), all arrive.
 */
@SluiceKafka
class RouterHealthIT {
  @TempDir Path stateDir;

  @Test
  @Timeout(180)
  void readinessFollowsTheRegistryAndBigRequestsDoNotStallAPartition(KafkaCluster kafka)
      throws Exception {
    try (EmbeddedSchemaRegistry registry =
            EmbeddedSchemaRegistry.builder(new InMemorySchemaStore(), 0).build().start();
        Proxy proxy = new Proxy(registry.port())) {
      String direct = registry.url();
      String app = kafka.uniqueId("health");
      String other = kafka.uniqueId("health-other");
      String deployment = kafka.uniqueId("health-dep");
      for (String a : List.of(app, other)) {
        RoutesCommand.publish(
            ItSupport.connection(kafka, direct),
            RouteFiles.parse(
                "app: "
                    + a
                    + "\nvariants: [{deployment: "
                    + deployment
                    + "}]\nbatching: {"
                    + deployment
                    + ": {maxBatchSize: 8, maxWaitMs: 200}}\n",
                0));
      }
      SluiceConfig config =
          ItSupport.routerConfig(
              kafka,
              "http://127.0.0.1:" + proxy.port(),
              "router-health-it",
              stateDir,
              RouterConfig.REQUEST_TOPIC_PATTERN,
              "sluice\\.requests\\.health-.*",
              RouterConfig.STREAMS_PREFIX + "consumer.metadata.max.age.ms",
              "500");
      HttpClient http = HttpClient.newHttpClient();
      try (RouterApp router =
              RouterApp.start(RouterConfig.from(config), Metrics.newRegistry("router"), true);
          KafkaProducer<String, InferenceRequest> producer =
              ItSupport.requestProducer(kafka, direct);
          KafkaConsumer<String, InferenceBatch> batches =
              ItSupport.batchConsumer(kafka, direct, false)) {
        String readyz = "http://127.0.0.1:" + router.managementPort() + "/readyz";
        batches.subscribe(List.of(Topics.batches(deployment)));
        Set<String> seen = new HashSet<>();
        Awaitility.await("ready")
            .atMost(Duration.ofSeconds(60))
            .until(() -> status(http, readyz) == 200);

        // Defect 2, real broker: 2 x 600 KB + another app's small request, one key.
        Acks.sendAll(
            producer,
            List.of(
                new ProducerRecord<>(Topics.requests(app), "same", big(app, "big-1")),
                new ProducerRecord<>(Topics.requests(app), "same", big(app, "big-2")),
                new ProducerRecord<>(
                    Topics.requests(other), "same", Fixtures.request(other, "small-1"))));
        awaitBatched(batches, seen, Set.of("big-1", "big-2", "small-1"));
        assertThat(status(http, readyz)).isEqualTo(200);

        // Defect 5: a record whose writer schema the router has never fetched, registry down.
        byte[] newer = newerSchemaRecord(direct, app, "newer-1");
        proxy.down();
        try (KafkaProducer<String, byte[]> raw =
            new KafkaProducer<>(
                kafka.producerProperties(),
                new StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
          raw.send(new ProducerRecord<>(Topics.requests(app), "k", newer)).get();
        }
        List<String> bodies = new CopyOnWriteArrayList<>();
        Awaitility.await("readyz DOWN with a reason")
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> {
                  HttpResponse<String> r = get(http, readyz);
                  bodies.add(r.body());
                  return r.statusCode() == 503;
                });
        String down = bodies.get(bodies.size() - 1);
        System.out.println("readyz while the registry is down: " + down);
        assertThat(down).contains("reason");
        proxy.up();
        awaitBatched(batches, seen, Set.of("newer-1"));
        long t0 = System.nanoTime();
        Awaitility.await("readyz UP again")
            .atMost(Duration.ofSeconds(60))
            .until(() -> status(http, readyz) == 200);
        System.out.printf(
            "readyz UP %d ms after the request was routed%n", (System.nanoTime() - t0) / 1_000_000);
      }
    }
  }

  private static InferenceRequest big(String app, String id) {
    InferenceRequest r = Fixtures.request(app, id);
    r.setInput(JsonInput.newBuilder().setJson("y".repeat(600_000)).build());
    return r;
  }

  /** A request written with a newer compatible schema (one extra field): a new schema id. */
  private static byte[] newerSchemaRecord(String url, String app, String id) throws Exception {
    Schema base = InferenceRequest.getClassSchema();
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : base.getFields()) {
      fields.add(new Schema.Field(f, f.schema()));
    }
    fields.add(new Schema.Field("tenant", Schema.create(Schema.Type.STRING), "added", "none"));
    Schema newer =
        Schema.createRecord(base.getName(), base.getDoc(), base.getNamespace(), false, fields);
    // Convert a generated request into a generic record of the newer schema.
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    var enc = EncoderFactory.get().binaryEncoder(out, null);
    new org.apache.avro.specific.SpecificDatumWriter<>(InferenceRequest.class)
        .write(Fixtures.request(app, id), enc);
    enc.flush();
    GenericRecord rec =
        new GenericDatumReader<GenericRecord>(base, newer)
            .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    rec.put("tenant", "acme");
    assertThat(GenericData.get().validate(newer, rec)).isTrue();
    return new AvroSerializer<GenericRecord>(SchemaRegistries.forUrl(url, null), true, false)
        .serialize(Topics.requests(app), rec);
  }

  private static void awaitBatched(
      KafkaConsumer<String, InferenceBatch> batches, Set<String> seen, Set<String> ids) {
    Awaitility.await("batched " + ids)
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(1))
        .until(
            () -> {
              for (InferenceBatch b : ItSupport.poll(batches)) {
                b.getRequests().forEach(r -> seen.add(r.getRequestId()));
              }
              return seen.containsAll(ids);
            });
  }

  private static int status(HttpClient http, String url) throws Exception {
    return get(http, url).statusCode();
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A TCP proxy to the registry that can stop answering: new connections are cut at once. */
  private static final class Proxy implements AutoCloseable {
    private final ServerSocket server;
    private final int target;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile boolean down;

    Proxy(int target) throws IOException {
      this.target = target;
      this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread t = new Thread(this::acceptLoop, "registry-proxy");
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return server.getLocalPort();
    }

    void down() {
      down = true;
      for (Socket s : open) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
      open.clear();
    }

    void up() {
      down = false;
    }

    private void acceptLoop() {
      while (!server.isClosed()) {
        try {
          Socket client = server.accept();
          if (down) {
            client.close();
            continue;
          }
          Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
          open.add(client);
          open.add(upstream);
          pipe(client.getInputStream(), upstream.getOutputStream());
          pipe(upstream.getInputStream(), client.getOutputStream());
        } catch (IOException e) {
          // the server socket closed, or one connection failed: keep serving the others
        }
      }
    }

    private static void pipe(InputStream in, OutputStream out) {
      Thread t =
          new Thread(
              () -> {
                try (in;
                    out) {
                  in.transferTo(out);
                } catch (IOException ignored) {
                  // connection closed
                }
              });
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void close() throws IOException {
      down();
      server.close();
    }
  }
}
