import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * The Kafka Streams baseline of {@code npm run bench:kafka}: the same topology as the Tributary pipeline
 * there, on one stream thread. Trades are decoded from JSON with Jackson and checked field by field (a
 * record that fails is dropped and counted), timed by their {@code T} field, filtered, grouped by the record
 * key (the symbol, so nothing is repartitioned), averaged in hopping 30 s / 5 s windows kept in the
 * default (RocksDB) store, and produced to the output topic as JSON, with a commit every 5 s. Windows are
 * emitted either when they close ({@code final}: {@code EmitStrategy.onWindowClose()}, as the Tributary
 * pipeline emits them) or as they change, thinned by the record cache ({@code updates}, Kafka Streams'
 * default).
 *
 * <p>Arguments: bootstrap servers, input topic, output topic, application id, record count, {@code final}
 * or {@code updates}. Prints one JSON line: the records, the seconds and the process CPU seconds from the
 * first record to the last.
 */
public final class TradeMeans {
  /** A decoded trade; {@code null} stands for a record that is not one. */
  record Trade(String s, double p, double q, long t, boolean m) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  static Trade decode(byte[] bytes) {
    if (bytes == null) return null;
    try {
      JsonNode n = JSON.readTree(bytes);
      if (n == null || !n.isObject()) return null;
      JsonNode e = n.get("e"), s = n.get("s"), p = n.get("p"), q = n.get("q"), t = n.get("T"), m = n.get("m");
      if (e == null || !"trade".equals(e.textValue())) return null;
      if (s == null || !s.isTextual() || p == null || !p.isTextual() || q == null || !q.isTextual()) return null;
      if (t == null || !t.isNumber() || t.doubleValue() < 0 || m == null || !m.isBoolean()) return null;
      double price = Double.parseDouble(p.textValue());
      double quantity = Double.parseDouble(q.textValue());
      if (!Double.isFinite(price) || !Double.isFinite(quantity)) return null;
      return new Trade(s.textValue(), price, quantity, t.longValue(), m.booleanValue());
    } catch (Exception invalid) {
      return null;
    }
  }

  /** Sum and count of a window, 16 bytes. */
  static final Serde<double[]> SUM_COUNT =
      Serdes.serdeFrom(
          (Serializer<double[]>)
              (topic, sc) -> ByteBuffer.allocate(16).putDouble(sc[0]).putDouble(sc[1]).array(),
          (Deserializer<double[]>)
              (topic, bytes) -> {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                return new double[] {b.getDouble(), b.getDouble()};
              });

  static final Serde<Trade> TRADE =
      Serdes.serdeFrom(
          (Serializer<Trade>)
              (topic, trade) -> {
                throw new UnsupportedOperationException("trades are only read");
              },
          (Deserializer<Trade>) (topic, bytes) -> decode(bytes));

  /** Event time from the trade; a record that is not a trade keeps the log's time (it is dropped anyway). */
  public static final class TradeTime implements TimestampExtractor {
    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
      return record.value() instanceof Trade trade ? trade.t() : record.timestamp();
    }
  }

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0], input = args[1], output = args[2], applicationId = args[3];
    long records = Long.parseLong(args[4]);
    boolean onClose = switch (args[5]) {
      case "final" -> true;
      case "updates" -> false;
      default -> throw new IllegalArgumentException("emit: final or updates, not " + args[5]);
    };

    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 5_000);
    props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/" + applicationId);
    props.put(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, TradeTime.class);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");

    CountDownLatch done = new CountDownLatch(1);
    var cpu = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long[] seen = {0};
    long[] first = {0, 0}; // wall ns, cpu ns
    double[] result = {0, 0};

    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(input, Consumed.with(Serdes.String(), TRADE))
        .peek(
            (key, trade) -> {
              if (seen[0]++ == 0) {
                first[0] = System.nanoTime();
                first[1] = cpu.getProcessCpuTime();
              }
              if (seen[0] == records) {
                result[0] = (System.nanoTime() - first[0]) / 1e9;
                result[1] = (cpu.getProcessCpuTime() - first[1]) / 1e9;
                done.countDown();
              }
            })
        .filter((key, trade) -> trade != null && trade.p() > 0)
        .groupByKey(Grouped.with(Serdes.String(), TRADE))
        .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofSeconds(30)).advanceBy(Duration.ofSeconds(5)))
        .emitStrategy(onClose ? EmitStrategy.onWindowClose() : EmitStrategy.onWindowUpdate())
        .aggregate(
            () -> new double[] {0, 0},
            (key, trade, sc) -> new double[] {sc[0] + trade.p(), sc[1] + 1},
            Materialized.with(Serdes.String(), SUM_COUNT))
        .toStream()
        .map(
            (window, sc) ->
                KeyValue.pair(
                    window.key(),
                    "{\"start\":" + window.window().start() + ",\"end\":" + window.window().end()
                        + ",\"value\":" + sc[0] / sc[1] + "}"))
        .to(output, Produced.with(Serdes.String(), Serdes.String()));

    try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
      Throwable[] failure = {null};
      streams.setUncaughtExceptionHandler(
          error -> {
            failure[0] = error;
            done.countDown();
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
                .SHUTDOWN_CLIENT;
          });
      streams.start();
      if (!done.await(3, TimeUnit.MINUTES)) throw new IllegalStateException("timed out after " + seen[0] + " records");
      if (failure[0] != null) throw new IllegalStateException("Kafka Streams failed", failure[0]);
      System.out.println(
          "{\"records\":" + records + ",\"seconds\":" + result[0] + ",\"cpuSeconds\":" + result[1] + "}");
      streams.close(Duration.ofSeconds(30));
      streams.cleanUp();
    }
  }
}
