package dev.gangway.rendezvous;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.util.OpenSSHPrivateKeyUtil;
import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * A fresh Ed25519 key pair in the formats OpenSSH reads: the private key as an {@code OPENSSH PRIVATE KEY}
 * file (what {@code ssh-keygen -t ed25519} writes, without a passphrase) and the public key as one
 * {@code ssh-ed25519 AAAA…} line, as in {@code authorized_keys}.
 *
 * @param privateKey the private key file's content
 * @param publicKey the public key line, without a comment or newline
 */
public record SshKeyPair(String privateKey, String publicKey) {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String KEY_TYPE = "ssh-ed25519";

  public static SshKeyPair generate() {
    Ed25519KeyPairGenerator generator = new Ed25519KeyPairGenerator();
    generator.init(new Ed25519KeyGenerationParameters(RANDOM));
    AsymmetricCipherKeyPair pair = generator.generateKeyPair();
    try {
      StringWriter pem = new StringWriter();
      try (PemWriter writer = new PemWriter(pem)) {
        writer.writeObject(new PemObject("OPENSSH PRIVATE KEY", OpenSSHPrivateKeyUtil.encodePrivateKey(pair.getPrivate())));
      }
      String publicKey = KEY_TYPE + " " + Base64.getEncoder().encodeToString(OpenSSHPublicKeyUtil.encodePublicKey(pair.getPublic()));
      return new SshKeyPair(pem.toString(), publicKey);
    } catch (IOException e) {
      // Encoding into memory: only a bug in the encoder gets here.
      throw new UncheckedIOException(e);
    }
  }

  /** Never the private key: a record's default toString would put it in logs. */
  @Override
  public String toString() {
    return "SshKeyPair[" + publicKey + "]";
  }
}
