package dev.drain.test;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A plain socket speaking HTTP/2 over cleartext by hand (h2c with prior knowledge): it records
 * every GOAWAY frame the server sends, which real clients hide, and answers PING and SETTINGS as
 * RFC 9113 requires. Requests are GETs without a body; responses are read as their status and
 * their body as text. One reader thread per connection.
 */
public final class RawHttp2 implements AutoCloseable {

  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final int DATA = 0;
  private static final int HEADERS = 1;
  private static final int RST_STREAM = 3;
  private static final int SETTINGS = 4;
  private static final int PING = 6;
  private static final int GOAWAY = 7;
  private static final int WINDOW_UPDATE = 8;
  private static final int END_STREAM = 0x1;
  private static final int ACK = 0x1;
  private static final int END_HEADERS = 0x4;
  private static final int PADDED = 0x8;
  private static final int PRIORITY = 0x20;
  private static final int WINDOW_UPDATE_BATCH = 16 * 1024;

  /** A GOAWAY frame the server sent, and when it arrived ({@link System#nanoTime()}). */
  public record GoAway(int lastStreamId, int errorCode, long nanos) {}

  /** A RST_STREAM frame the server sent: its stream and error code. */
  public record Reset(int streamId, int errorCode) {}

  /**
   * A response: its stream, status (-1 when its encoding is not one this client reads), body
   * and when its last frame arrived ({@link System#nanoTime()}).
   */
  public record Response(int streamId, int status, String body, long nanos) {}

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final String authority;
  private final List<GoAway> goAways = new CopyOnWriteArrayList<>();
  private final List<Reset> resets = new CopyOnWriteArrayList<>();
  private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private int nextStreamId = 1;
  /** DATA bytes received on the connection and not yet given back with WINDOW_UPDATE. */
  private int unacknowledged;

  private static final class Pending {
    final CompletableFuture<Response> future = new CompletableFuture<>();
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    int status = -1;
    boolean headersSeen;
    int unacknowledged;
  }

  private RawHttp2(int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}),
        port), 5000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
    authority = "127.0.0.1:" + port;
  }

  /**
   * Connects to 127.0.0.1 and starts HTTP/2 at once: the connection preface and an empty
   * SETTINGS frame.
   *
   * @param port the port
   * @return the connection, its reader running
   * @throws IOException when the connection is refused
   */
  public static RawHttp2 connect(int port) throws IOException {
    RawHttp2 client = new RawHttp2(port);
    synchronized (client.out) {
      client.out.write(PREFACE);
      client.writeFrame(SETTINGS, 0, 0, new byte[0]);
    }
    client.startReader();
    return client;
  }

  /**
   * Connects to 127.0.0.1 and upgrades to HTTP/2 with {@code GET path} (RFC 7540 §3.2): the
   * request becomes stream 1, whose response is {@code first}.
   *
   * @param port the port
   * @param path the path of the request that carries the upgrade
   * @param first completed with stream 1's response
   * @return the connection, speaking HTTP/2, its reader running
   * @throws IOException when the server does not answer {@code 101 Switching Protocols}
   */
  public static RawHttp2 upgrade(int port, String path, CompletableFuture<Response> first)
      throws IOException {
    RawHttp2 client = new RawHttp2(port);
    // one setting, SETTINGS_ENABLE_PUSH = 0, base64url-encoded: some servers refuse an empty one
    client.out.write(("GET " + path + " HTTP/1.1\r\nHost: " + client.authority + "\r\n"
        + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
        + "HTTP2-Settings: AAIAAAAA\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    client.out.flush();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      head.write(client.in.readUnsignedByte());
    }
    String status = head.toString(StandardCharsets.US_ASCII).split("\r\n", 2)[0];
    if (!status.startsWith("HTTP/1.1 101")) {
      client.close();
      throw new IOException("no upgrade to h2c: " + status);
    }
    Pending stream1 = new Pending();
    stream1.future.whenComplete((r, e) -> {
      if (e != null) {
        first.completeExceptionally(e);
      } else {
        first.complete(r);
      }
    });
    synchronized (client.out) {
      client.pending.put(1, stream1);
      client.nextStreamId = 3;
      client.out.write(PREFACE);
      client.writeFrame(SETTINGS, 0, 0, new byte[0]);
    }
    client.startReader();
    return client;
  }

  private void startReader() {
    Thread reader = new Thread(this::readLoop, "raw-h2-reader-" + authority);
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Opens a new stream with {@code GET path}.
   *
   * @param path the path and query, under 127 bytes
   * @return completes with the response, or exceptionally when the server resets the stream or
   *     the connection closes first
   * @throws IOException when the request cannot be written
   */
  public CompletableFuture<Response> get(String path) throws IOException {
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    block.write(0x82); // :method GET (static index 2)
    block.write(0x86); // :scheme http (static index 6)
    literal(block, 4, path); // :path
    literal(block, 1, authority); // :authority
    Pending request = new Pending();
    synchronized (out) {
      int id = nextStreamId;
      nextStreamId += 2;
      pending.put(id, request);
      writeFrame(HEADERS, END_STREAM | END_HEADERS, id, block.toByteArray());
    }
    if (closed.isDone()) { // the reader ended before or while this stream was added
      request.future.completeExceptionally(new IOException("connection closed by the server"));
    }
    return request.future;
  }

  /**
   * Opens a new stream with {@code POST path} and sends {@code firstBytes} of its body without
   * ending the stream: the request is still arriving, as an upload's is. {@link #endStream}
   * ends it; until then the server may answer early.
   *
   * @param path the path and query, under 127 bytes
   * @param firstBytes the first body bytes, sent in one DATA frame (at most 16 KiB)
   * @return the stream's id and the future of its response, which completes exceptionally when
   *     the server resets the stream before answering or the connection closes first
   * @throws IOException when the request cannot be written
   */
  public Map.Entry<Integer, CompletableFuture<Response>> postOpen(String path, byte[] firstBytes)
      throws IOException {
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    block.write(0x83); // :method POST (static index 3)
    block.write(0x86); // :scheme http (static index 6)
    literal(block, 4, path); // :path
    literal(block, 1, authority); // :authority
    Pending request = new Pending();
    int id;
    synchronized (out) {
      id = nextStreamId;
      nextStreamId += 2;
      pending.put(id, request);
      writeFrame(HEADERS, END_HEADERS, id, block.toByteArray());
      writeFrame(DATA, 0, id, firstBytes);
    }
    if (closed.isDone()) {
      request.future.completeExceptionally(new IOException("connection closed by the server"));
    }
    return Map.entry(id, request.future);
  }

  /**
   * Sends an empty DATA frame that ends stream {@code streamId}.
   *
   * @param streamId a stream {@link #postOpen} opened
   * @throws IOException when it cannot be written
   */
  public void endStream(int streamId) throws IOException {
    writeFrame(DATA, END_STREAM, streamId, new byte[0]);
  }

  /**
   * Returns the RST_STREAM frames received so far, in order.
   *
   * @return a live view
   */
  public List<Reset> resets() {
    return resets;
  }

  /**
   * Returns the id the next stream will get.
   *
   * @return an odd number
   */
  public int nextStreamId() {
    synchronized (out) {
      return nextStreamId;
    }
  }

  /**
   * Returns the GOAWAY frames received so far, in order.
   *
   * @return a live view
   */
  public List<GoAway> goAways() {
    return goAways;
  }

  /**
   * Returns a future that completes when the server closes the connection.
   *
   * @return the future
   */
  public CompletableFuture<Void> closed() {
    return closed;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /** A literal header field without indexing, its name from the static table. */
  private static void literal(ByteArrayOutputStream block, int nameIndex, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
    if (bytes.length >= 127) {
      throw new IllegalArgumentException("header value too long for this client: " + value);
    }
    block.write(nameIndex);
    block.write(bytes.length);
    block.writeBytes(bytes);
  }

  private void writeFrame(int type, int flags, int streamId, byte[] payload) throws IOException {
    synchronized (out) {
      ByteBuffer header = ByteBuffer.allocate(9);
      header.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8))
          .put((byte) payload.length).put((byte) type).put((byte) flags).putInt(streamId);
      out.write(header.array());
      out.write(payload);
      out.flush();
    }
  }

  private void readLoop() {
    try {
      while (true) {
        int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8
            | in.readUnsignedByte();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int streamId = in.readInt() & 0x7fff_ffff;
        byte[] payload = new byte[length];
        in.readFully(payload);
        onFrame(type, flags, streamId, payload);
      }
    } catch (EOFException endOfStream) {
      end(new IOException("connection closed by the server"));
    } catch (IOException | RuntimeException failure) {
      end(failure);
    }
  }

  private void end(Exception cause) {
    pending.values().forEach(p -> p.future.completeExceptionally(cause));
    pending.clear();
    closed.complete(null);
  }

  private void onFrame(int type, int flags, int streamId, byte[] payload) throws IOException {
    switch (type) {
      case SETTINGS -> {
        if ((flags & ACK) == 0) {
          writeFrame(SETTINGS, ACK, 0, new byte[0]);
        }
      }
      case PING -> {
        if ((flags & ACK) == 0) {
          writeFrame(PING, ACK, 0, payload);
        }
      }
      case GOAWAY -> {
        ByteBuffer buffer = ByteBuffer.wrap(payload);
        goAways.add(new GoAway(buffer.getInt() & 0x7fff_ffff, buffer.getInt(), System.nanoTime()));
      }
      case HEADERS -> onHeaders(flags, streamId, payload);
      case DATA -> onData(flags, streamId, payload);
      case RST_STREAM -> {
        resets.add(new Reset(streamId, ByteBuffer.wrap(payload).getInt()));
        Pending request = pending.remove(streamId);
        if (request != null) {
          request.future.completeExceptionally(new IOException("stream " + streamId
              + " reset by the server, error code " + ByteBuffer.wrap(payload).getInt()));
        }
      }
      default -> { } // PRIORITY, WINDOW_UPDATE, CONTINUATION, PUSH_PROMISE: nothing to do
    }
  }

  private void onHeaders(int flags, int streamId, byte[] payload) {
    Pending request = pending.get(streamId);
    if (request == null) {
      return;
    }
    if (!request.headersSeen) {
      request.headersSeen = true;
      int offset = 0;
      int padding = 0;
      if ((flags & PADDED) != 0) {
        padding = payload[0] & 0xff;
        offset = 1;
      }
      if ((flags & PRIORITY) != 0) {
        offset += 5;
      }
      request.status = Hpack.status(payload, offset, payload.length - padding);
    }
    if ((flags & END_STREAM) != 0) {
      complete(streamId, request);
    }
  }

  private void onData(int flags, int streamId, byte[] payload) throws IOException {
    int offset = 0;
    int end = payload.length;
    if ((flags & PADDED) != 0) {
      offset = 1;
      end -= payload[0] & 0xff;
    }
    unacknowledged += payload.length;
    if (unacknowledged >= WINDOW_UPDATE_BATCH) {
      // give back what was received in one update, as real clients do: servers count small
      // WINDOW_UPDATE frames as overhead and may end the connection for them (Tomcat does)
      writeFrame(WINDOW_UPDATE, 0, 0, ByteBuffer.allocate(4).putInt(unacknowledged).array());
      unacknowledged = 0;
    }
    Pending request = pending.get(streamId);
    if (request == null) {
      return;
    }
    request.body.write(payload, offset, end - offset);
    request.unacknowledged += payload.length;
    if (request.unacknowledged >= WINDOW_UPDATE_BATCH && (flags & END_STREAM) == 0) {
      writeFrame(WINDOW_UPDATE, 0, streamId,
          ByteBuffer.allocate(4).putInt(request.unacknowledged).array());
      request.unacknowledged = 0;
    }
    if ((flags & END_STREAM) != 0) {
      complete(streamId, request);
    }
  }

  private void complete(int streamId, Pending request) {
    pending.remove(streamId);
    request.future.complete(new Response(streamId, request.status,
        request.body.toString(StandardCharsets.UTF_8), System.nanoTime()));
  }

  /** Just enough HPACK (RFC 7541) to read the {@code :status} a server sends first. */
  static final class Hpack {
    private Hpack() {}

    /** Static table entries 8 to 14 are {@code :status} with these values. */
    private static final int[] STATIC_STATUS = {200, 204, 206, 304, 400, 404, 500};

    /**
     * Reads {@code :status} from the first field of a header block after any dynamic table size
     * update: an indexed static entry, or a literal (a status the server indexed in its dynamic
     * table, such as a repeated 201 from Netty, reads as -1) with the static name {@code :status} and a plain or Huffman-coded value.
     *
     * @return the status, or -1 when the first field is something else
     */
    static int status(byte[] block, int offset, int end) {
      // skip dynamic table size updates (001xxxxx and a varint), which servers send first
      while (offset < end && (block[offset] & 0xe0) == 0x20) {
        if ((block[offset++] & 0x1f) == 0x1f) {
          while (offset < end && (block[offset] & 0x80) != 0) {
            offset++;
          }
          offset++;
        }
      }
      if (offset >= end) {
        return -1;
      }
      int first = block[offset] & 0xff;
      if ((first & 0x80) != 0) {
        int index = first & 0x7f;
        return index >= 8 && index <= 14 ? STATIC_STATUS[index - 8] : -1;
      }
      // literal with incremental indexing (01), without (0000) or never indexed (0001)
      int nameIndex = (first & 0xc0) == 0x40 ? first & 0x3f : first & 0x0f;
      if (nameIndex < 8 || nameIndex > 14 || offset + 1 >= end) {
        return -1;
      }
      int lengthByte = block[offset + 1] & 0xff;
      boolean huffman = (lengthByte & 0x80) != 0;
      int length = lengthByte & 0x7f;
      if (offset + 2 + length > end) {
        return -1;
      }
      if (huffman) {
        return huffmanDigits(block, offset + 2, length);
      }
      String value = new String(block, offset + 2, length, StandardCharsets.US_ASCII);
      return value.matches("\\d{3}") ? Integer.parseInt(value) : -1;
    }

    /**
     * Decodes Huffman-coded digits: {@code 0}-{@code 2} are {@code 00000}-{@code 00010} (5 bits),
     * {@code 3}-{@code 9} are {@code 011001}-{@code 011111} (6 bits).
     */
    private static int huffmanDigits(byte[] block, int offset, int length) {
      long bits = 0;
      int count = 0;
      for (int i = 0; i < length; i++) {
        bits = bits << 8 | (block[offset + i] & 0xff);
        count += 8;
      }
      int value = 0;
      int digits = 0;
      while (digits < 3 && count >= 5) {
        int five = (int) (bits >>> (count - 5)) & 0x1f;
        if (five <= 2) {
          value = value * 10 + five;
          count -= 5;
        } else if (count >= 6 && ((bits >>> (count - 6)) & 0x38) == 0x18
            && ((bits >>> (count - 6)) & 0x7) != 0) { // 011000 is '/', not a digit
          value = value * 10 + 2 + (int) ((bits >>> (count - 6)) & 0x7);
          count -= 6;
        } else {
          return -1;
        }
        digits++;
      }
      return digits == 3 ? value : -1;
    }
  }
}
