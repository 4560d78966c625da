// SmtpServerSession's XCLIENT and XFORWARD commands (Postfix's smtpd/smtpd.c
// xclient_cmd, xforward_cmd, and the EHLO and greeting parts they touch): who may use
// them (smtpd_authorized_xclient_hosts, smtpd_authorized_xforward_hosts), and what a
// successful XCLIENT does to the session: it continues as the new client, from the
// greeting on, with restrictions, Received header and log lines using the new values.
#include <memory>

#include "postline/address/host_address_list.h"
#include "postline/address/routing_context.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/smtp/server_session.h"

namespace postline::smtp {

namespace {

// The network facts the checks see after XCLIENT: the client name's lookup status is
// what XCLIENT said ([TEMPUNAVAIL] is a temporary failure, as smtpd's name_status),
// everything else comes from the facts the session started with.
class XclientFacts final : public policy::NetworkFacts {
public:
    explicit XclientFacts(const policy::NetworkFacts& base) : base_(base) {}

    std::string address;
    int nameStatus = 2, reverseStatus = 2;

    std::optional<policy::DnsAnswer> dnsAnswer(std::string_view name) const override { return base_.dnsAnswer(name); }
    std::optional<std::string> policyAction(std::string_view service) const override {
        return base_.policyAction(service);
    }
    std::optional<policy::DnsAnswer> dnsLookup(std::string_view name, policy::DnsQuery kind) const override {
        if ((kind == policy::DnsQuery::Client || kind == policy::DnsQuery::ClientReverse) && name == address) {
            int status = kind == policy::DnsQuery::Client ? nameStatus : reverseStatus;
            return status == 2   ? policy::DnsAnswer::Found
                   : status == 4 ? policy::DnsAnswer::TempFail
                                 : policy::DnsAnswer::NotFound;
        }
        return base_.dnsLookup(name, kind);
    }
    std::optional<std::string> policyQuery(std::string_view service,
                                           const policy::PolicyRequest& request) const override {
        return base_.policyQuery(service, request);
    }
    std::optional<policy::DnsListAnswer> dnsListLookup(std::string_view query) const override {
        return base_.dnsListLookup(query);
    }
    std::optional<policy::DnsServerList> dnsServers(std::string_view domain,
                                                    policy::DnsServerType type) const override {
        return base_.dnsServers(domain, type);
    }
    std::optional<policy::HostAddresses> hostAddresses(std::string_view host) const override {
        return base_.hostAddresses(host);
    }
    const policy::NetworkFacts& base() const { return base_; }

private:
    const policy::NetworkFacts& base_;
};

// The lookup status of a name the session has: a name is a success; "unknown" is what
// the facts say of the address (a temporary failure, or a permanent one).
int nameStatus(const policy::NetworkFacts& facts, const std::string& name, const std::string& address,
               policy::DnsQuery kind) {
    if (name != "unknown") return 2;
    return facts.dnsLookup(address, kind) == policy::DnsAnswer::TempFail ? 4 : 5;
}

}  // namespace

std::string SmtpServerSession::rfcAddress() const {
    const std::string& a = restrictions_.session().clientAddress;
    return a.find(':') != std::string::npos ? "IPv6:" + a : a;
}

void SmtpServerSession::authorizeXcommands(bool xforwardToo) {
    const policy::SmtpdSession& who = restrictions_.session();
    auto authorize = [&](address::HostAddressList* list, bool& allowed, bool& error) {
        allowed = error = false;
        if (!list || options_.standAlone) return;
        auto m = list->match(who.clientName, who.clientAddress);
        if (m.error) {
            // match_list's warning; a table that could not be opened first says so, as
            // dict_surrogate's lookup does.
            std::string_view text = m.errorText;
            size_t colon = text.find(": ");
            std::string_view table = text.substr(0, colon);
            if (colon != std::string_view::npos && text.substr(colon + 2) != "table lookup problem")
                base::msgWarn(base::cat(table, " is unavailable. ", text.substr(colon + 2)));
            base::msgWarn(base::cat(list->title(), ": ", table, ": table lookup problem"));
        }
        allowed = m.matched;
        error = m.error;
    };
    authorize(params_->xclientHosts.get(), xclientAllowed_, xclientError_);
    // XCLIENT does not change who may use XFORWARD.
    if (xforwardToo) authorize(params_->xforwardHosts.get(), xforwardAllowed_, xforwardError_);
}

void SmtpServerSession::localDataError(const std::string& warning) {
    base::msgWarn(warning);
    base::msgInfo(base::cat(queueId_ ? *queueId_ : std::string("NOQUEUE"), ": reject: ", where_, " from ",
                            restrictions_.session().namaddr(), ": 421 4.3.0 ", myhostname_,
                            " Server local data error"));
    reply("421 4.3.0 " + myhostname_ + " Server local data error");
}

// xclient_cmd(): true when the client attributes were replaced (the caller then starts
// the session over); false with the reply sent otherwise.
bool SmtpServerSession::xclientCmd(const std::vector<std::string>& argv) {
    if (sender_) {
        reply("503 5.5.1 Error: MAIL transaction in progress");
        return false;
    }
    if (argv.size() < 2) {
        reply("501 5.5.4 Syntax: XCLIENT attribute=value...");
        return false;
    }
    policy::SmtpdSession& who = restrictions_.mutableSession();
    if (xclientError_) {
        localDataError("don't know if command XCLIENT should be allowed from " + who.namaddr());
        return false;
    }
    if (!xclientAllowed_) {
        reply("550 5.7.0 Error: insufficient authorization");
        return false;
    }
    auto* facts = dynamic_cast<XclientFacts*>(xclientFacts_.get());
    XclientIdentity current;
    current.name = who.clientName;
    current.reverseName = who.reverseName;
    current.address = who.clientAddress;
    current.rfcAddress = rfcAddress();
    current.family = options_.addressFamily;
    current.port = options_.clientPort;
    current.helo = helo_;
    current.protocol = protocol_;
    if (!who.saslUsername.empty()) current.login = who.saslUsername;
    current.serverAddress = options_.serverAddress;
    current.serverPort = options_.serverPort;
    const policy::NetworkFacts& base = facts ? facts->base() : who.facts();
    if (facts) {
        current.nameStatus = facts->nameStatus;
        current.reverseStatus = facts->reverseStatus;
    } else {
        current.nameStatus = nameStatus(base, who.clientName, who.clientAddress, policy::DnsQuery::Client);
        current.reverseStatus = nameStatus(base, who.reverseName, who.clientAddress, policy::DnsQuery::ClientReverse);
    }
    std::vector<std::string> args(argv.begin() + 1, argv.end());
    XclientResult r = applyXclient(args, current, params_->inetFamilies);
    if (!r.error.empty()) {
        reply(r.error);
        return false;
    }
    const XclientIdentity& id = r.identity;
    if (!facts) {
        auto made = std::make_shared<XclientFacts>(base);
        facts = made.get();
        xclientFacts_ = made;
        originalNetwork_ = who.network;
        who.network = facts;
    }
    facts->address = id.address;
    facts->nameStatus = id.nameStatus;
    facts->reverseStatus = id.reverseStatus;
    // permit_inet_interfaces keeps looking at the socket's peer.
    if (who.socketAddress.empty()) who.socketAddress = who.clientAddress;
    who.clientName = id.name;
    who.reverseName = id.reverseName;
    who.clientAddress = id.address;
    options_.clientName = id.name;
    options_.reverseName = id.reverseName;
    options_.clientAddress = id.address;
    options_.addressFamily = id.family;
    options_.clientPort = id.port;
    options_.serverAddress = id.serverAddress;
    options_.serverPort = id.serverPort;
    // HELO and PROTO are reset unless the command named them; so is the login.
    helo_ = r.gotHelo ? id.helo : std::nullopt;
    who.helo = helo_;
    protocol_ = r.gotProto ? id.protocol : "SMTP";
    who.saslUsername = r.gotLogin ? *id.login : std::string();
    saslMethod_ = r.gotLogin ? std::optional<std::string>("XCLIENT") : std::nullopt;
    return true;
}

// What smtpd_proto() does when xclient_cmd() jumps back to it: the new client's
// authorization and bare newline exclusion, a fresh transaction, and the greeting.
void SmtpServerSession::xclientRestart() {
    authorizeXcommands(false);
    bareLfMode_ = options_.standAlone ? 0 : params_->bareLfMode;
    const policy::SmtpdSession& who = restrictions_.session();
    if (bareLfMode_ != 0 && params_->bareLfExclusions &&
        params_->bareLfExclusions->match(who.clientName, who.clientAddress).matched)
        bareLfMode_ = 0;
    mailReset();
    greeting(true);
}

// xforward_cmd(): attributes of the upstream client for the next message.
bool SmtpServerSession::xforwardCmd(const std::vector<std::string>& argv) {
    if (sender_) {
        reply("503 5.5.1 Error: MAIL transaction in progress");
        return false;
    }
    if (argv.size() < 2) {
        reply("501 5.5.4 Syntax: XFORWARD attribute=value...");
        return false;
    }
    if (xforwardError_) {
        localDataError("don't know if command XFORWARD should be allowed from " + restrictions_.session().namaddr());
        return false;
    }
    if (!xforwardAllowed_) {
        reply("550 5.7.0 Error: insufficient authorization");
        return false;
    }
    std::vector<std::string> args(argv.begin() + 1, argv.end());
    std::string error = applyXforward(args, xforward_, params_->inetFamilies);
    if (!error.empty()) {
        reply(error);
        return false;
    }
    reply("250 2.0.0 Ok");
    return true;
}

}  // namespace postline::smtp
