package io.gatehouse.pki;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * An initialized SSLContext whose sockets, server sockets and engines speak TLS 1.3 and nothing
 * older. A JDK context made for "TLSv1.3" still enables TLS 1.2 by default, and its defaults can
 * only be set per socket, so every socket it creates is restricted here rather than at each caller.
 */
final class Tls13Context extends SSLContext {
  static final String[] PROTOCOLS = {TlsContexts.PROTOCOL};

  Tls13Context(SSLContext initialized) {
    super(new Spi(initialized), initialized.getProvider(), TlsContexts.PROTOCOL);
  }

  private static SSLSocket restrict(Socket socket) {
    SSLSocket ssl = (SSLSocket) socket;
    ssl.setEnabledProtocols(PROTOCOLS.clone());
    return ssl;
  }

  private static SSLServerSocket restrict(ServerSocket socket) {
    SSLServerSocket ssl = (SSLServerSocket) socket;
    // Accepted sockets inherit the server socket's protocols.
    ssl.setEnabledProtocols(PROTOCOLS.clone());
    return ssl;
  }

  private static SSLEngine restrict(SSLEngine engine) {
    engine.setEnabledProtocols(PROTOCOLS.clone());
    return engine;
  }

  private static SSLParameters restrict(SSLParameters parameters) {
    parameters.setProtocols(PROTOCOLS.clone());
    return parameters;
  }

  private static final class Spi extends SSLContextSpi {
    private final SSLContext delegate;

    Spi(SSLContext delegate) {
      this.delegate = delegate;
    }

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random)
        throws KeyManagementException {
      throw new KeyManagementException("this TLS context is initialized already");
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      return new Sockets(delegate.getSocketFactory());
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      return new ServerSockets(delegate.getServerSocketFactory());
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      return restrict(delegate.createSSLEngine());
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      return restrict(delegate.createSSLEngine(host, port));
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      return delegate.getServerSessionContext();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      return delegate.getClientSessionContext();
    }

    @Override
    protected SSLParameters engineGetDefaultSSLParameters() {
      return restrict(delegate.getDefaultSSLParameters());
    }

    @Override
    protected SSLParameters engineGetSupportedSSLParameters() {
      return restrict(delegate.getSupportedSSLParameters());
    }
  }

  private static final class Sockets extends SSLSocketFactory {
    private final SSLSocketFactory delegate;

    Sockets(SSLSocketFactory delegate) {
      this.delegate = delegate;
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return delegate.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket() throws IOException {
      return restrict(delegate.createSocket());
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose)
        throws IOException {
      return restrict(delegate.createSocket(s, host, port, autoClose));
    }

    @Override
    public Socket createSocket(Socket s, InputStream consumed, boolean autoClose)
        throws IOException {
      return restrict(delegate.createSocket(s, consumed, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return restrict(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
        throws IOException {
      return restrict(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return restrict(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(
        InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
      return restrict(delegate.createSocket(address, port, localAddress, localPort));
    }
  }

  private static final class ServerSockets extends SSLServerSocketFactory {
    private final SSLServerSocketFactory delegate;

    ServerSockets(SSLServerSocketFactory delegate) {
      this.delegate = delegate;
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return delegate.getSupportedCipherSuites();
    }

    @Override
    public ServerSocket createServerSocket() throws IOException {
      return restrict(delegate.createServerSocket());
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
      return restrict(delegate.createServerSocket(port));
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
      return restrict(delegate.createServerSocket(port, backlog));
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress ifAddress)
        throws IOException {
      return restrict(delegate.createServerSocket(port, backlog, ifAddress));
    }
  }
}
