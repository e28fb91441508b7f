#include "http/tls_identity.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <ctime>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "config/file_text.h"

namespace makegood::http {
namespace {

template <auto Free>
struct FreeWith {
  template <typename T>
  void operator()(T* pointer) const {
    Free(pointer);
  }
};
struct FreeCertificates {
  void operator()(STACK_OF(X509) * certificates) const {
    sk_X509_pop_free(certificates, X509_free);
  }
};
struct FreeNames {
  void operator()(STACK_OF(X509_NAME) * names) const {
    sk_X509_NAME_pop_free(names, X509_NAME_free);
  }
};

using BioPtr = std::unique_ptr<BIO, FreeWith<&BIO_free>>;
using X509Ptr = std::unique_ptr<X509, FreeWith<&X509_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, FreeWith<&EVP_PKEY_free>>;
using StorePtr = std::unique_ptr<X509_STORE, FreeWith<&X509_STORE_free>>;
using ContextPtr = std::unique_ptr<SSL_CTX, FreeWith<&SSL_CTX_free>>;
using CertificatesPtr = std::unique_ptr<STACK_OF(X509), FreeCertificates>;
using NamesPtr = std::unique_ptr<STACK_OF(X509_NAME), FreeNames>;

// OpenSSL's error queue is the calling thread's: what a load leaves there
// would be taken for the next TLS call's error on this thread.
struct ClearOpensslErrors {
  ClearOpensslErrors() { ERR_clear_error(); }
  ~ClearOpensslErrors() { ERR_clear_error(); }
};

// A key file that is encrypted is refused, never prompted for.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) {
  return -1;
}

BioPtr ReadOnlyBio(const std::string& text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// Whether the PEM read that just failed found no further PEM block (the end
// of the file), rather than a block that does not parse.
bool AtEndOfPem() {
  const unsigned long error = ERR_peek_last_error();
  return ERR_GET_LIB(error) == ERR_LIB_PEM &&
         ERR_GET_REASON(error) == PEM_R_NO_START_LINE;
}

// OpenSSL's words for the error it just raised.
std::string OpensslReason() {
  const char* reason = ERR_reason_error_string(ERR_peek_last_error());
  return reason == nullptr ? "refused" : reason;
}

absl::StatusOr<std::string> ReadFile(const std::string& field,
                                     const std::string& path) {
  std::optional<std::string> text = config::ReadFileText(path);
  if (!text.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": cannot read '", path, "'"));
  }
  return *std::move(text);
}

// Every certificate of `bio` from where it stands; `count` says how many
// came before them, for the error. Empty when there are none.
absl::StatusOr<CertificatesPtr> ReadCertificates(BIO* bio,
                                                 const std::string& field,
                                                 const std::string& path,
                                                 int count) {
  CertificatesPtr certificates(sk_X509_new_null());
  if (certificates == nullptr) return absl::ResourceExhaustedError("no memory");
  for (;;) {
    X509Ptr certificate(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
    if (certificate == nullptr) break;
    if (sk_X509_push(certificates.get(), certificate.get()) == 0) {
      return absl::ResourceExhaustedError("no memory");
    }
    certificate.release();  // The stack holds it now.
  }
  if (!AtEndOfPem()) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": certificate ", count + sk_X509_num(certificates.get()) + 1,
        " in '", path, "' does not parse (", OpensslReason(), ")"));
  }
  ERR_clear_error();
  return certificates;
}

std::string MemoryText(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<size_t>(size)) : "";
}

// "CN=localhost (serial 02, expires 2026-11-22T10:00:00Z)".
std::string DescribeCertificate(X509* certificate) {
  std::string subject = "?";
  if (BioPtr out(BIO_new(BIO_s_mem()));
      out != nullptr &&
      X509_NAME_print_ex(out.get(), X509_get_subject_name(certificate), 0,
                         XN_FLAG_RFC2253) >= 0) {
    subject = MemoryText(out.get());
  }
  std::string serial = "?";
  if (BIGNUM* number =
          ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate), nullptr)) {
    if (char* hex = BN_bn2hex(number)) {
      serial = hex;
      OPENSSL_free(hex);
    }
    BN_free(number);
  }
  std::string expires = "?";
  std::tm not_after{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(certificate), &not_after) == 1) {
    expires = absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                               absl::FromTM(not_after, absl::UTCTimeZone()),
                               absl::UTCTimeZone());
  }
  return absl::StrCat(subject, " (serial ", serial, ", expires ", expires, ")");
}

}  // namespace

// One loaded set. Immutable: a reload makes a new one.
struct TlsIdentity::Material {
  X509Ptr certificate;
  CertificatesPtr chain;  // Never null; empty for a certificate alone.
  KeyPtr key;
  // Null without a client CA file.
  StorePtr client_cas;
  NamesPtr client_ca_names;
  std::string description;
};

absl::StatusOr<std::unique_ptr<TlsIdentity>> TlsIdentity::Load(TlsFiles files) {
  absl::StatusOr<std::shared_ptr<const Material>> material = Read(files);
  if (!material.ok()) return material.status();
  return std::unique_ptr<TlsIdentity>(
      new TlsIdentity(std::move(files), *std::move(material)));
}

TlsIdentity::TlsIdentity(TlsFiles files,
                         std::shared_ptr<const Material> material)
    : files_(std::move(files)), current_(std::move(material)) {}

TlsIdentity::~TlsIdentity() = default;

absl::StatusOr<std::shared_ptr<const TlsIdentity::Material>> TlsIdentity::Read(
    const TlsFiles& files) {
  const ClearOpensslErrors clear_errors;
  const std::string cert_field = absl::StrCat(files.field, ".cert_file");
  const std::string key_field = absl::StrCat(files.field, ".key_file");
  auto material = std::make_shared<Material>();

  absl::StatusOr<std::string> cert_pem = ReadFile(cert_field, files.cert_file);
  if (!cert_pem.ok()) return cert_pem.status();
  BioPtr cert_bio = ReadOnlyBio(*cert_pem);
  if (cert_bio == nullptr) return absl::ResourceExhaustedError("no memory");
  material->certificate.reset(
      PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (material->certificate == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        cert_field, ": no PEM certificate in '", files.cert_file, "'"));
  }
  absl::StatusOr<CertificatesPtr> chain =
      ReadCertificates(cert_bio.get(), cert_field, files.cert_file, 1);
  if (!chain.ok()) return chain.status();
  material->chain = *std::move(chain);

  absl::StatusOr<std::string> key_pem = ReadFile(key_field, files.key_file);
  if (!key_pem.ok()) return key_pem.status();
  BioPtr key_bio = ReadOnlyBio(*key_pem);
  if (key_bio == nullptr) return absl::ResourceExhaustedError("no memory");
  material->key.reset(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, &NoPassphrase, nullptr));
  if (material->key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(key_field, ": no unencrypted PEM private key in '",
                     files.key_file, "'"));
  }
  if (X509_check_private_key(material->certificate.get(),
                             material->key.get()) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(key_field, ": '", files.key_file,
                     "' is not the private key of the certificate in '",
                     files.cert_file, "'"));
  }
  // What a handshake would refuse (a key too small for OpenSSL's security
  // level, a chain it will not send) is refused here, before it is served.
  ContextPtr check(SSL_CTX_new(TLS_server_method()));
  if (check == nullptr ||
      SSL_CTX_use_cert_and_key(check.get(), material->certificate.get(),
                               material->key.get(), material->chain.get(),
                               1) != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        cert_field, ": OpenSSL will not serve the certificate in '",
        files.cert_file, "' (", OpensslReason(), ")"));
  }

  if (!files.client_ca_file.empty()) {
    const std::string ca_field = absl::StrCat(files.field, ".client_ca_file");
    absl::StatusOr<std::string> ca_pem =
        ReadFile(ca_field, files.client_ca_file);
    if (!ca_pem.ok()) return ca_pem.status();
    BioPtr ca_bio = ReadOnlyBio(*ca_pem);
    if (ca_bio == nullptr) return absl::ResourceExhaustedError("no memory");
    absl::StatusOr<CertificatesPtr> cas =
        ReadCertificates(ca_bio.get(), ca_field, files.client_ca_file, 0);
    if (!cas.ok()) return cas.status();
    if (sk_X509_num(cas->get()) == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          ca_field, ": no PEM certificate in '", files.client_ca_file, "'"));
    }
    material->client_cas.reset(X509_STORE_new());
    material->client_ca_names.reset(sk_X509_NAME_new_null());
    if (material->client_cas == nullptr ||
        material->client_ca_names == nullptr) {
      return absl::ResourceExhaustedError("no memory");
    }
    for (int i = 0; i < sk_X509_num(cas->get()); ++i) {
      X509* ca = sk_X509_value(cas->get(), i);
      if (X509_STORE_add_cert(material->client_cas.get(), ca) != 1) {
        return absl::InvalidArgumentError(absl::StrCat(
            ca_field, ": certificate ", i + 1, " in '", files.client_ca_file,
            "' cannot be used as a CA (", OpensslReason(), ")"));
      }
      // The names a client is told to pick its certificate by.
      X509_NAME* name = X509_NAME_dup(X509_get_subject_name(ca));
      if (name == nullptr ||
          sk_X509_NAME_push(material->client_ca_names.get(), name) == 0) {
        X509_NAME_free(name);
        return absl::ResourceExhaustedError("no memory");
      }
    }
  }
  material->description = DescribeCertificate(material->certificate.get());
  return std::shared_ptr<const Material>(std::move(material));
}

void TlsIdentity::Install(SSL_CTX* ctx) {
  ctx_ = ctx;
  SSL_CTX_set_cert_cb(ctx, &TlsIdentity::OnHandshake, this);
  // Sessions are resumed from the server's cache only, not from tickets a
  // client keeps: a reload empties the cache, so no client resumes past a
  // client CA that no longer trusts it.
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  // A client resuming a session (a browser does, on each new connection) is
  // refused by OpenSSL unless the context names its sessions, once client
  // certificates are verified.
  static constexpr unsigned char kSessionContext[] = "makegood-http";
  SSL_CTX_set_session_id_context(ctx, kSessionContext,
                                 sizeof(kSessionContext) - 1);
  if (!files_.client_ca_file.empty()) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                       nullptr);
  }
}

int TlsIdentity::OnHandshake(SSL* ssl, void* identity) {
  // The SSL takes its own references: what it got stays with the
  // connection, whatever a reload does after.
  const std::shared_ptr<const Material> material =
      static_cast<const TlsIdentity*>(identity)->Current();
  if (SSL_use_cert_and_key(ssl, material->certificate.get(),
                           material->key.get(), material->chain.get(),
                           1) != 1) {
    return 0;
  }
  if (material->client_cas != nullptr) {
    if (SSL_set1_verify_cert_store(ssl, material->client_cas.get()) != 1) {
      return 0;
    }
    STACK_OF(X509_NAME)* names =
        SSL_dup_CA_list(material->client_ca_names.get());
    if (names == nullptr) return 0;
    SSL_set_client_CA_list(ssl, names);  // Takes `names`.
  }
  return 1;
}

absl::Status TlsIdentity::Reload() {
  absl::StatusOr<std::shared_ptr<const Material>> next = Read(files_);
  if (!next.ok()) return next.status();
  std::shared_ptr<const Material> previous;
  {
    absl::MutexLock lock(&mu_);
    previous = std::exchange(current_, *std::move(next));
  }
  // Every session from before is gone: the next connection of each client
  // makes a full handshake, checked against what was just read.
  if (ctx_ != nullptr) SSL_CTX_flush_sessions(ctx_, 0);
  return absl::OkStatus();  // `previous` is freed here, outside the lock.
}

std::string TlsIdentity::Describe() const { return Current()->description; }

std::shared_ptr<const TlsIdentity::Material> TlsIdentity::Current() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

}  // namespace makegood::http
