package io.sluice.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.schemas.registry.SchemaRegistryException.RegistryUnavailableException;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.Credentials;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A client of the Confluent Schema Registry REST API over OkHttp, following the documented API
 * exactly ({@code application/vnd.schemaregistry.v1+json}) so that it works against Confluent
 * Schema Registry, Apicurio's {@code ccompat} API, Karapace and Redpanda.
 *
 * <p>Ids and registrations are cached: a schema is fetched or registered once per client. Several
 * base URLs may be given; the next is tried when one cannot be reached.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {
  static final MediaType CONTENT_TYPE = MediaType.get("application/vnd.schemaregistry.v1+json");
  private static final String ACCEPT =
      "application/vnd.schemaregistry.v1+json,"
          + " application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<String> baseUrls;
  private final OkHttpClient http;
  private final String authorization;
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
  private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();

  private record SubjectSchema(String subject, Schema schema) {}

  private RestSchemaRegistryClient(Builder b) {
    this.baseUrls = List.copyOf(b.baseUrls);
    OkHttpClient.Builder hb = b.http.newBuilder();
    if (b.trustManager != null) {
      hb.sslSocketFactory(b.sslContext.getSocketFactory(), b.trustManager);
    }
    this.http =
        hb.connectTimeout(b.timeout)
            .readTimeout(b.timeout)
            .writeTimeout(b.timeout)
            .callTimeout(b.timeout.multipliedBy(2))
            .build();
    this.authorization =
        b.basicAuthUser == null ? null : Credentials.basic(b.basicAuthUser, b.basicAuthPassword);
  }

  /** A builder for a client of the registry at the given base URL(s), comma-separated. */
  public static Builder builder(String urls) {
    return new Builder(urls);
  }

  @Override
  public int register(String subject, Schema schema) {
    Objects.requireNonNull(schema, "schema");
    return idsBySubjectSchema.computeIfAbsent(
        new SubjectSchema(subject, schema),
        k -> {
          ObjectNode body = JSON.createObjectNode().put("schema", schema.toString());
          int id = call("POST", "/subjects/" + enc(subject) + "/versions", body).path("id").asInt();
          schemasById.putIfAbsent(id, schema);
          return id;
        });
  }

  @Override
  public Schema getById(int id) {
    return schemasById.computeIfAbsent(
        id, k -> parse(call("GET", "/schemas/ids/" + id, null).path("schema").asText()));
  }

  @Override
  public SchemaMetadata getLatest(String subject) {
    return metadata(call("GET", "/subjects/" + enc(subject) + "/versions/latest", null), subject);
  }

  @Override
  public SchemaMetadata lookup(String subject, Schema schema) {
    ObjectNode body = JSON.createObjectNode().put("schema", schema.toString());
    return metadata(call("POST", "/subjects/" + enc(subject), body), subject);
  }

  @Override
  public boolean isCompatible(String subject, Schema schema) {
    ObjectNode body = JSON.createObjectNode().put("schema", schema.toString());
    try {
      return call("POST", "/compatibility/subjects/" + enc(subject) + "/versions/latest", body)
          .path("is_compatible")
          .asBoolean(false);
    } catch (SchemaRegistryException.SubjectNotFoundException
        | SchemaRegistryException.VersionNotFoundException e) {
      return true; // nothing registered yet: anything is compatible
    }
  }

  @Override
  public List<String> subjects() {
    List<String> out = new ArrayList<>();
    call("GET", "/subjects", null).forEach(n -> out.add(n.asText()));
    return out;
  }

  @Override
  public List<Integer> versions(String subject) {
    List<Integer> out = new ArrayList<>();
    call("GET", "/subjects/" + enc(subject) + "/versions", null).forEach(n -> out.add(n.asInt()));
    return out;
  }

  @Override
  public void setCompatibility(String subject, CompatibilityLevel level) {
    ObjectNode body = JSON.createObjectNode().put("compatibility", level.name());
    call("PUT", "/config/" + enc(subject), body);
  }

  @Override
  public CompatibilityLevel getCompatibility(String subject) {
    JsonNode n = call("GET", "/config/" + enc(subject) + "?defaultToGlobal=true", null);
    String level =
        n.hasNonNull("compatibilityLevel")
            ? n.get("compatibilityLevel").asText()
            : n.path("compatibility").asText();
    return CompatibilityLevel.parse(level);
  }

  private SchemaMetadata metadata(JsonNode n, String subject) {
    int id = n.path("id").asInt();
    Schema schema = schemasById.computeIfAbsent(id, k -> parse(n.path("schema").asText()));
    return new SchemaMetadata(
        n.path("subject").asText(subject), id, n.path("version").asInt(), schema);
  }

  private static Schema parse(String text) {
    try {
      return new Schema.Parser().parse(text);
    } catch (SchemaParseException e) {
      throw new RegistryUnavailableException("registry returned a schema Avro cannot parse", e);
    }
  }

  private static String enc(String subject) {
    return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private JsonNode call(String method, String path, JsonNode body) {
    IOException last = null;
    for (String base : baseUrls) {
      Request.Builder rb = new Request.Builder().url(base + path).header("Accept", ACCEPT);
      if (authorization != null) {
        rb.header("Authorization", authorization);
      }
      RequestBody rbody = body == null ? null : RequestBody.create(body.toString(), CONTENT_TYPE);
      rb.method(method, rbody);
      try (Response response = http.newCall(rb.build()).execute()) {
        ResponseBody rsp = response.body();
        String text = rsp == null ? "" : rsp.string();
        if (response.isSuccessful()) {
          return text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
        }
        throw error(response.code(), text);
      } catch (IOException e) {
        last = e; // try the next URL
      }
    }
    throw new RegistryUnavailableException(
        "schema registry unreachable at " + baseUrls + ": " + last, last);
  }

  private static SchemaRegistryException error(int status, String text) {
    int code = status;
    String message = text;
    try {
      JsonNode n = JSON.readTree(text);
      if (n != null && n.has("error_code")) {
        code = n.get("error_code").asInt(status);
        message = n.path("message").asText(text);
      }
    } catch (IOException notJson) {
      // keep the HTTP status and raw text: some proxies answer with HTML
    }
    return SchemaRegistryException.of(status, code, message);
  }

  @Override
  public String toString() {
    return "RestSchemaRegistryClient" + baseUrls + (authorization == null ? "" : " (basic auth)");
  }

  /** Builds a {@link RestSchemaRegistryClient}. */
  public static final class Builder {
    private static final OkHttpClient SHARED = new OkHttpClient();
    private final List<String> baseUrls = new ArrayList<>();
    private OkHttpClient http = SHARED;
    private Duration timeout = Duration.ofSeconds(10);
    private String basicAuthUser;
    private String basicAuthPassword;
    private SSLContext sslContext;
    private X509TrustManager trustManager;

    private Builder(String urls) {
      for (String u : urls.split(",", -1)) {
        String t = u.trim();
        if (!t.isEmpty()) {
          baseUrls.add(t.endsWith("/") ? t.substring(0, t.length() - 1) : t);
        }
      }
      if (baseUrls.isEmpty()) {
        throw new IllegalArgumentException("schema registry url '" + urls + "' names no URL");
      }
    }

    /** Shares an existing client's pools and dispatcher; timeouts are set on a variant. */
    public Builder httpClient(OkHttpClient client) {
      this.http = Objects.requireNonNull(client);
      return this;
    }

    /** Connect, read and write timeout of each call (default 10 s). */
    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout);
      return this;
    }

    /** HTTP basic authentication ({@code basic.auth.user.info} in Confluent's clients). */
    public Builder basicAuth(String user, String password) {
      this.basicAuthUser = user;
      this.basicAuthPassword = password;
      return this;
    }

    /**
     * Verifies the registry's TLS certificate against a trust store (PKCS12 or JKS, or PEM
     * certificates — detected from the file —, {@code schema.registry.ssl.truststore.*} in
     * Confluent's clients) instead of the JVM's default trust.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read
     */
    public Builder trustStore(Path location, String password) {
      try {
        KeyStore store =
            isPem(location)
                ? pemStore(location)
                : KeyStore.getInstance(
                    location.toFile(), password == null ? null : password.toCharArray());
        TrustManagerFactory tmf =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        X509TrustManager tm = null;
        for (TrustManager m : tmf.getTrustManagers()) {
          if (m instanceof X509TrustManager x) {
            tm = x;
          }
        }
        if (tm == null) {
          throw new IllegalArgumentException("no X.509 trust manager for " + location);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {tm}, null);
        this.sslContext = ctx;
        this.trustManager = tm;
        return this;
      } catch (IOException | GeneralSecurityException e) {
        throw new IllegalArgumentException(
            "cannot read the Schema Registry trust store " + location + ": " + e.getMessage(), e);
      }
    }

    private static boolean isPem(Path location) throws IOException {
      try (java.io.InputStream in = java.nio.file.Files.newInputStream(location)) {
        byte[] head = in.readNBytes(64);
        return new String(head, java.nio.charset.StandardCharsets.US_ASCII)
            .stripLeading()
            .startsWith("-----BEGIN");
      }
    }

    /** The certificates of a PEM file (a CA bundle, say) as an in-memory trust store. */
    private static KeyStore pemStore(Path location) throws IOException, GeneralSecurityException {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      try (java.io.InputStream in = java.nio.file.Files.newInputStream(location)) {
        int i = 0;
        for (java.security.cert.Certificate c :
            java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          store.setCertificateEntry("ca-" + i++, c);
        }
        if (i == 0) {
          throw new GeneralSecurityException("no certificate in the PEM file");
        }
      }
      return store;
    }

    public RestSchemaRegistryClient build() {
      return new RestSchemaRegistryClient(this);
    }
  }
}
