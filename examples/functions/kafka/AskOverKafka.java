// Calls an app the way any Kafka producer can, without the HTTP bridge: writes one
// InferenceRequest (Avro, Confluent wire format, schema in the registry) to sluice.requests.<app>
// and reads the InferenceResponse with the same request id from sluice.responses.<app>.
// Run it with the jars `./sluice` built (Java's single-file launch, no build needed):
//
//   java -cp "devstack/target/lib/*" examples/functions/kafka/AskOverKafka.java \
//       localhost:9092 http://localhost:8081 words "the cat in the hat"
import io.sluice.avro.InferenceRequest;
import io.sluice.avro.InferenceResponse;
import io.sluice.avro.JsonInput;
import io.sluice.schemas.Topics;
import io.sluice.schemas.serde.AvroSerde;
import io.sluice.schemas.serde.SerdeConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class AskOverKafka {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0], registry = args[1], app = args[2], text = args[3];
    String id = UUID.randomUUID().toString();
    InferenceRequest request =
        InferenceRequest.newBuilder()
            .setRequestId(id)
            .setApp(app)
            // JSON input {"text": ...}, what the bridge makes of {"input": {"text": ...}}
            .setInput(JsonInput.newBuilder().setJson("{\"text\":" + quote(text) + "}").build())
            .setCreatedAtMs(Instant.now())
            .setDeadlineMs(Instant.now().plusSeconds(30))
            .build();
    SerdeConfig serde = SerdeConfig.of(registry);
    Map<String, Object> kafka = Map.of("bootstrap.servers", bootstrap);
    String replies = Topics.responses(app);
    try (AvroSerde<InferenceRequest> requests = AvroSerde.of(InferenceRequest.class, serde, false);
        AvroSerde<InferenceResponse> responses =
            AvroSerde.of(InferenceResponse.class, serde, false);
        KafkaConsumer<String, InferenceResponse> consumer =
            new KafkaConsumer<>(kafka, new StringDeserializer(), responses.deserializer());
        KafkaProducer<String, InferenceRequest> producer =
            new KafkaProducer<>(kafka, new StringSerializer(), requests.serializer())) {
      // Read the reply topic from its current end, so only replies after this request are seen.
      List<TopicPartition> partitions =
          consumer.partitionsFor(replies).stream()
              .map(p -> new TopicPartition(replies, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position);

      producer.send(new ProducerRecord<>(Topics.requests(app), id, request)).get();
      long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < until) {
        for (ConsumerRecord<String, InferenceResponse> r : consumer.poll(Duration.ofMillis(200))) {
          if (id.equals(r.value().getRequestId())) {
            System.out.println(r.value());
            return;
          }
        }
      }
      System.err.println("no reply to " + id + " on " + replies + " within 30 s");
      System.exit(1);
    }
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
