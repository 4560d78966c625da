// smtpd's access restrictions evaluated offline (smtpd/smtpd_check.c): the client,
// HELO, sender, relay and recipient restriction lists with smtpd_delay_reject, access
// tables with every access(5) action, restriction classes, warn_if_reject,
// defer_if_permit/defer_if_reject, the unlisted sender/recipient checks, then the
// DATA and end-of-data lists. Every restriction evaluated becomes a step. What needs
// the network is taken from the session's offline answers (DNS, policy servers), or
// the outcome is undecidable.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "postline/address/host_address_list.h"
#include "postline/maps/map_list.h"
#include "postline/policy/recipient_check.h"
#include "postline/policy/smtpd_command.h"
#include "postline/policy/smtpd_session.h"

namespace postline::address {
class RoutingContext;
}

namespace postline::policy {

class SmtpdRestrictions {
public:
    SmtpdRestrictions(address::RoutingContext& context, SmtpdSession session);
    SmtpdRestrictions(const SmtpdRestrictions&) = delete;
    SmtpdRestrictions& operator=(const SmtpdRestrictions&) = delete;
    ~SmtpdRestrictions();

    const SmtpdSession& session() const { return session_; }

    // One message from `sender` ("" is the null sender) to `recipient` (both internal
    // form, as smtpd has them from MAIL FROM and RCPT TO): the reply to RCPT TO, or to
    // DATA or end-of-data when those lists reject. `stage` says which part decided.
    // `mail` and `rcpt`, when given, are how smtpd read the two commands
    // (smtpd_command.h): their steps are shown where the session reaches them, and a
    // failed command is the reply (stage "MAIL FROM" or "RCPT TO"). A session without
    // HELO meets smtpd_helo_required at MAIL FROM.
    RecipientCheck check(std::string_view sender, std::string_view recipient, const SmtpdCommandResult* mail = nullptr,
                         const SmtpdCommandResult* rcpt = nullptr);

    // A live smtpd session's checks, one command at a time (smtpd.c calls
    // smtpd_check_client/helo/mail at CONNECT, HELO/EHLO and MAIL FROM when
    // smtpd_delay_reject = no, smtpd_check_rcpt at each RCPT TO with the delayed lists
    // first, smtpd_check_data at DATA and smtpd_check_eod after the message).
    // Connect, Helo and Mail evaluate nothing when smtpd_delay_reject = yes. At Helo the
    // session's helo is the name being checked; `recipient` is the RCPT TO address, and
    // at Data and EndOfData the one recipient of the message ("" when it has more). The
    // verdict is Accept when no list rejected; undecidable when a network fact is missing.
    // Etrn is smtpd_check_etrn: `recipient` is the ETRN domain; with smtpd_delay_reject
    // = yes the client and HELO lists come first, then smtpd_etrn_restrictions
    // (check_etrn_access looks the domain up).
    enum class LiveStage { Connect, Helo, Mail, Rcpt, Data, EndOfData, Etrn };
    RecipientCheck checkLive(LiveStage stage, std::string_view sender, std::string_view recipient);
    // The session the checks see; a live session updates it (HELO name, SASL login).
    SmtpdSession& mutableSession() { return session_; }
    // Postfix's start-up check: the fatal text when neither smtpd_relay_restrictions nor
    // smtpd_recipient_restrictions has relay protection, else "".
    std::string relayProtectionError();

    // smtpd_check_rewrite, at MAIL FROM: the address rewriting context of the client's
    // mail. "local" when an entry of local_header_rewrite_clients matches the client
    // (permit_inet_interfaces, permit_mynetworks, permit_sasl_authenticated,
    // check_address_map TABLE or a bare TABLE looked up with the client address; the
    // permit_tls_* entries never match, there is no TLS), else "remote". A table that
    // fails gives `reply` ("451 4.3.0 Temporary lookup error" or "451 4.3.5 Server
    // configuration error"), which smtpd logs and sends instead of accepting MAIL FROM.
    // `warnings` are Postfix's warning texts (an unknown entry, a failing table).
    // `inetSocket`: the client came over an Internet socket; a client that did not (a
    // stand-alone smtpd on a pipe, taken for 127.0.0.1) has no address that
    // permit_inet_interfaces could find among the machine's.
    struct RewriteContext {
        std::string context = "remote";
        std::string reply;
        std::vector<std::string> warnings;
    };
    RewriteContext rewriteContext(bool inetSocket = true);

private:
    friend struct SmtpdEvaluation;
    maps::MapList& accessTable(const std::string& spec);
    address::HostAddressList& mynetworks();

    address::RoutingContext& context_;
    SmtpdSession session_;
    std::map<std::string, maps::MapList, std::less<>> tables_;
    std::unique_ptr<address::HostAddressList> mynetworks_;
};

}  // namespace postline::policy
