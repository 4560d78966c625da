// The "tls" rule family: certificate and key files that Postfix's TLS library would
// fail to load (tls_certkey.c), certificates that expired or soon will, SASL offered
// in clear text, and TLS demanded from every client on port 25 (RFC 3207 forbids it for
// a publicly-referenced server). Reads the files with OpenSSL.
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <ctime>
#include <memory>

#include "context.h"
#include "postline/base/strings.h"
#include "table_refs.h"

namespace postline::lint {

namespace {

struct BioFree {
    void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
    void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using CertPtr = std::unique_ptr<X509, X509Free>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;

// The file must exist and be readable; reports and returns false otherwise.
bool usableFile(LintContext& context, const std::string& path, const std::string& parameter, const Origin& origin) {
    if (::access(path.c_str(), F_OK) != 0) {
        context.report("tls-file-missing", origin, base::cat(parameter, ": ", path, " does not exist"));
        return false;
    }
    if (::access(path.c_str(), R_OK) != 0) {
        context.report("tls-file-unreadable", origin, base::cat(parameter, ": ", path, " is not readable"));
        return false;
    }
    return true;
}

CertPtr readCertificate(const std::string& path) {
    BioPtr bio(BIO_new_file(path.c_str(), "r"));
    if (!bio) return nullptr;
    return CertPtr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

KeyPtr readKey(const std::string& path) {
    BioPtr bio(BIO_new_file(path.c_str(), "r"));
    if (!bio) return nullptr;
    return KeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

void checkExpiry(LintContext& context, X509* cert, const std::string& path, const Origin& origin) {
    const ASN1_TIME* notAfter = X509_get0_notAfter(cert);
    if (X509_cmp_current_time(notAfter) < 0) {
        context.report("tls-cert-expired", origin, base::cat("certificate ", path, " has expired"),
                       "renew the certificate");
        return;
    }
    time_t soon = std::time(nullptr) + 30 * 24 * 3600;
    if (X509_cmp_time(notAfter, &soon) < 0)
        context.report("tls-cert-expiring", origin, base::cat("certificate ", path, " expires within 30 days"),
                       "renew the certificate");
}

// One certificate/key parameter pair, e.g. smtpd_tls_cert_file and smtpd_tls_key_file.
void checkPair(LintContext& context, const std::string& certParam, const std::string& keyParam) {
    if (!context.isSet(certParam) && !context.isSet(keyParam)) return;
    std::string certPath = context.value(certParam);
    std::string keyPath = context.value(keyParam);
    if (certPath.empty() || base::lowercase(certPath) == "none") return;
    if (keyPath.empty()) keyPath = certPath;
    certPath = context.hostPath(certPath);
    keyPath = context.hostPath(keyPath);
    Origin certOrigin = context.origin(certParam);
    Origin keyOrigin = context.isSet(keyParam) ? context.origin(keyParam) : certOrigin;
    if (!usableFile(context, certPath, certParam, certOrigin)) return;
    CertPtr cert = readCertificate(certPath);
    if (!cert) {
        context.report("tls-file-unreadable", certOrigin,
                       base::cat(certParam, ": ", certPath, " holds no PEM certificate"));
        return;
    }
    checkExpiry(context, cert.get(), certPath, certOrigin);
    if (!usableFile(context, keyPath, keyParam, keyOrigin)) return;
    KeyPtr key = readKey(keyPath);
    if (!key) {
        context.report("tls-file-unreadable", keyOrigin,
                       base::cat(keyParam, ": ", keyPath, " holds no PEM private key (or it is encrypted)"));
        return;
    }
    if (X509_check_private_key(cert.get(), key.get()) != 1)
        context.report(
            "tls-key-mismatch", keyOrigin,
            base::cat(keyParam, ": the private key in ", keyPath, " does not match the certificate in ", certPath),
            "install the key that was used to request the certificate");
}

// smtpd_tls_chain_files: each file holds a key and its certificate chain.
void checkChainFiles(LintContext& context) {
    if (!context.isSet("smtpd_tls_chain_files")) return;
    Origin origin = context.origin("smtpd_tls_chain_files");
    KeyPtr key;
    CertPtr cert;
    std::string keyPath, certPath;
    for (const std::string& named : listItems(context.value("smtpd_tls_chain_files"))) {
        std::string path = context.hostPath(named);
        if (!usableFile(context, path, "smtpd_tls_chain_files", origin)) continue;
        KeyPtr k = readKey(path);
        CertPtr c = readCertificate(path);
        if (!k && !c) {
            context.report("tls-file-unreadable", origin,
                           base::cat("smtpd_tls_chain_files: ", path, " holds neither a PEM key nor a certificate"));
            continue;
        }
        if (k) key = std::move(k), keyPath = path;
        if (c) {
            checkExpiry(context, c.get(), path, origin);
            if (!cert) cert = std::move(c), certPath = path;
        }
        if (key && cert) {
            if (X509_check_private_key(cert.get(), key.get()) != 1)
                context.report("tls-key-mismatch", origin,
                               base::cat("smtpd_tls_chain_files: the key in ", keyPath,
                                         " does not match the certificate in ", certPath));
            key.reset();
            cert.reset();
        }
    }
}

bool namesPort25(const config::MasterEntry& service) {
    std::string name = service.name();
    size_t colon = name.rfind(':');
    std::string port = colon == std::string::npos ? name : name.substr(colon + 1);
    return port == "smtp" || port == "25";
}

// Whether a service gets the clients of port 25: an inet smtpd on that port, or the pass
// service that a postscreen on port 25 hands its clients to (its smtpd_service_name,
// "smtpd" by default).
bool receivesPort25(const LintContext& context, const config::MasterEntry& service) {
    if (service.type() == "inet") return namesPort25(service);
    if (service.type() != "pass") return false;
    for (const config::MasterEntry* screen : context.services("postscreen"))
        if (screen->type() == "inet" && namesPort25(*screen) &&
            context.serviceSetting(*screen, "smtpd_service_name").value == service.name())
            return true;
    return false;
}

bool isYes(const ServiceSetting& setting) { return base::lowercase(setting.value) == "yes"; }

// sasl-without-tls-auth-only for one service: reported at the line that made the
// decision, with a hint that changes something. A service's own -o wins over main.cf:
// the -o that enabled SASL, else the -o that turned smtpd_tls_auth_only off, else the -o
// that lowered the TLS level, else main.cf's smtpd_sasl_auth_enable.
void checkSaslBeforeTls(LintContext& context, const config::MasterEntry& service, bool alwaysTls) {
    ServiceSetting sasl = context.serviceSetting(service, "smtpd_sasl_auth_enable");
    ServiceSetting authOnly = context.serviceSetting(service, "smtpd_tls_auth_only");
    if (!isYes(sasl) || isYes(authOnly) || alwaysTls) return;
    ServiceSetting level = context.serviceSetting(service, "smtpd_tls_security_level");
    Origin where = sasl.origin;
    std::string hint = "set smtpd_tls_auth_only = yes";
    if (sasl.byOption) {
        hint = "add -o smtpd_tls_auth_only=yes to this service";
    } else if (authOnly.byOption) {
        where = authOnly.origin;
        hint = base::cat("remove this service's -o smtpd_tls_auth_only=", authOnly.value,
                         ", or set it to yes (main.cf's value does not apply to it)");
    } else if (level.byOption) {
        where = level.origin;
        hint = "add -o smtpd_tls_auth_only=yes to this service, or require TLS on it";
    }
    context.report("sasl-without-tls-auth-only", where,
                   base::cat(LintContext::serviceLabel(service),
                             " offers SASL authentication before TLS: passwords may cross the network in clear "
                             "text"),
                   hint);
}

void checkServices(LintContext& context) {
    // Every smtpd, whatever its type (the pass service behind postscreen is port 25's).
    for (const config::MasterEntry* service : context.services("smtpd")) {
        ServiceSetting level = context.serviceSetting(*service, "smtpd_tls_security_level");
        ServiceSetting enforce = context.serviceSetting(*service, "smtpd_enforce_tls");
        ServiceSetting wrapper = context.serviceSetting(*service, "smtpd_tls_wrappermode");
        bool mandatory = base::lowercase(level.value) == "encrypt" || isYes(enforce);
        bool alwaysTls = mandatory || isYes(wrapper);
        if (mandatory && receivesPort25(context, *service))
            context.report("tls-mandatory-on-port-25",
                           base::lowercase(level.value) == "encrypt" ? level.origin : enforce.origin,
                           base::cat(LintContext::serviceLabel(*service),
                                     " requires TLS from every client on port 25; "
                                     "servers that do not speak TLS cannot deliver"),
                           "use smtpd_tls_security_level = may on port 25 and encrypt on submission");
        checkSaslBeforeTls(context, *service, alwaysTls);
    }
}

}  // namespace

void checkTlsAndSasl(LintContext& context) {
    checkPair(context, "smtpd_tls_cert_file", "smtpd_tls_key_file");
    checkPair(context, "smtpd_tls_eccert_file", "smtpd_tls_eckey_file");
    checkPair(context, "smtpd_tls_dcert_file", "smtpd_tls_dkey_file");
    checkPair(context, "smtp_tls_cert_file", "smtp_tls_key_file");
    checkChainFiles(context);
    checkServices(context);
}

}  // namespace postline::lint
