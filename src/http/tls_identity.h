#ifndef MAKEGOOD_HTTP_TLS_IDENTITY_H_
#define MAKEGOOD_HTTP_TLS_IDENTITY_H_

// The HTTP listener's TLS identity: the certificate chain and private key it
// serves, and the CAs whose client certificates it accepts, read from PEM
// files. Reload() reads the same files again and, when they are valid,
// replaces them in one step: every handshake after it gets the new set, a
// connection already open keeps the one it began with, and files that are
// not valid change nothing.
//
// It is installed on an OpenSSL SSL_CTX as its certificate callback, which
// hands each handshake the newest set. Thread-safe: handshakes run on many
// threads while Reload runs on another.

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace makegood::http {

struct TlsFiles {
  // PEM certificate chain: the server's certificate first, then the
  // intermediate CAs.
  std::string cert_file;
  // Its PEM private key, unencrypted.
  std::string key_file;
  // PEM CA bundle; when set, clients must present a certificate one of
  // these CAs signed. Empty: no client certificate is asked for.
  std::string client_ca_file;
  // How errors name the files: "<field>.key_file: ...".
  std::string field = "server.http_tls";
};

class TlsIdentity {
 public:
  // Reads `files`. INVALID_ARGUMENT naming the field, the file and what is
  // wrong with it: it cannot be read; it holds no PEM certificate, or a
  // chain certificate that does not parse; no unencrypted PEM private key;
  // a key that is not the certificate's; a certificate OpenSSL refuses to
  // serve (a key too weak for its security level); a client CA file with no
  // certificate.
  static absl::StatusOr<std::unique_ptr<TlsIdentity>> Load(TlsFiles files);
  TlsIdentity(const TlsIdentity&) = delete;
  TlsIdentity& operator=(const TlsIdentity&) = delete;
  ~TlsIdentity();

  // Makes `ctx` take the certificate, key and client CAs of each handshake
  // from this object and, with a client CA file, require and verify a client
  // certificate. This object must outlive every handshake on `ctx`.
  void Install(SSL_CTX* ctx);

  // Reads the files again (the same paths). OK: every handshake from now on
  // gets them. Otherwise Load's error, and the running set stays.
  absl::Status Reload();

  // The certificate served now, for logs:
  // "CN=localhost (serial 02, expires 2026-11-22T10:00:00Z)".
  std::string Describe() const;

  const TlsFiles& files() const { return files_; }

 private:
  struct Material;

  TlsIdentity(TlsFiles files, std::shared_ptr<const Material> material);

  static absl::StatusOr<std::shared_ptr<const Material>> Read(
      const TlsFiles& files);
  // SSL_CTX_set_cert_cb's callback: 1 when `ssl` got the current set.
  static int OnHandshake(SSL* ssl, void* identity);
  std::shared_ptr<const Material> Current() const;

  // Const after construction.
  const TlsFiles files_;
  // The context Install set up; its session cache is emptied by a reload.
  SSL_CTX* ctx_ = nullptr;

  mutable absl::Mutex mu_;
  // Never null. Each handshake holds it only while it copies it onto its SSL.
  std::shared_ptr<const Material> current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace makegood::http

#endif  // MAKEGOOD_HTTP_TLS_IDENTITY_H_
