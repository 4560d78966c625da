// local(8)'s delivery of one recipient (Postfix's local/local.c, recipient.c and the
// delivery modules): the Delivered-To loop check, lib/address's decisions, and for each
// destination the write (mailbox.c, maildir.c, file.c), the command (command.c), the
// forwarded copy through cleanup (indirect.c, forward.c) or the hand-off to another
// transport (deliver_pass.c), each with Postfix's status and reason.
#include "local_core.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cstring>

#include "local_command.h"
#include "postline/address/address_parts.h"
#include "postline/address/routing_context.h"
#include "postline/address/tokens.h"
#include "postline/base/strings.h"
#include "postline/config/expand.h"
#include "postline/config/time_value.h"
#include "postline/delivery/maildir.h"
#include "postline/delivery/mbox.h"
#include "postline/queue/cleanup_client.h"
#include "postline/queue/record_type.h"
#include "postline/smtp/received_header.h"

namespace postline::local {

namespace {

namespace rec = queue::rec;
using Kind = address::LocalDelivery::Kind;

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// The names of an alias chain ("admin -> root -> /home/root/.forward:1").
std::vector<std::string> chain(const std::string& via) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (true) {
        size_t arrow = via.find(" -> ", pos);
        out.push_back(via.substr(pos, arrow == std::string::npos ? std::string::npos : arrow - pos));
        if (arrow == std::string::npos) return out;
        pos = arrow + 4;
    }
}

bool listHas(std::string_view list, std::string_view name) {
    for (auto item : base::splitAny(list, ", \t\r\n"))
        if (lower(item) == name) return true;
    return false;
}

Outcome sent(std::string reason, std::string action = "delivered") {
    Outcome o;
    o.dsn.status = "2.0.0";
    o.dsn.action = std::move(action);
    o.dsn.reason = std::move(reason);
    return o;
}
// A failure: 4.x defers, anything else bounces (bounce_workaround's choice).
Outcome failed(const std::string& status, std::string reason) {
    bool temp = !status.empty() && status[0] == '4';
    Outcome o;
    o.kind = temp ? Outcome::Kind::Defer : Outcome::Kind::Bounce;
    o.dsn.status = status;
    o.dsn.action = temp ? "delayed" : "failed";
    o.dsn.reason = std::move(reason);
    return o;
}
// The "D.S.N text" that deliverLocal gives bounces, deferrals and discards.
std::pair<std::string, std::string> splitDsnText(const std::string& text) {
    auto sp = text.find(' ');
    if (sp == std::string::npos) return {text, ""};
    return {text.substr(0, sp), text.substr(sp + 1)};
}

// set_eugid(): the effective ids a write runs with, put back when done.
class Eugid {
public:
    Eugid(bool active, uid_t uid, gid_t gid) : active_(active) {
        if (!active_) return;
        savedUid_ = ::geteuid();
        savedGid_ = ::getegid();
        switchTo(uid, gid);
    }
    ~Eugid() {
        if (active_) switchTo(savedUid_, savedGid_);
    }
    static void switchTo(uid_t uid, gid_t gid) {
        if (::geteuid() != 0) (void)!::seteuid(0);
        (void)!::setegid(gid);
        if (uid != 0) {
            gid_t groups[1] = {gid};
            (void)!::setgroups(1, groups);
        } else {
            (void)!::setgroups(0, nullptr);
        }
        (void)!::seteuid(uid);
    }

private:
    bool active_;
    uid_t savedUid_ = 0;
    gid_t savedGid_ = 0;
};

// The recipient at one level of the expansion, split as recipient.c splits it.
struct Level {
    std::string address, local, domain, user, extension;
};

struct Context {
    const LocalEnvironment& env;
    const delivery::DeliverRequest& request;
    const std::vector<std::string>& lines;
    const delivery::DeliverRecipient& recipient;
    const address::LocalDeliveryResult& decisions;

    delivery::CopyEnvelope envelope() const {
        delivery::CopyEnvelope e;
        e.sender = request.sender.empty() ? "" : address::quoteLocalPart(request.sender);
        if (env.settings.enableOriginalRecipient && !recipient.original.empty())
            e.originalRecipient = address::quoteLocalPart(recipient.original);
        e.deliveredTo = address::quoteLocalPart(recipient.address);
        e.now = env.now().tv_sec;
        return e;
    }

    // The user whose mailbox a decision named: the key of the step that chose it.
    std::string mailboxUser(const address::LocalDelivery& d) const {
        for (const address::Step& s : decisions.steps)
            if ((s.stage == "mail_spool_directory" || s.stage == "home_mailbox" || s.stage == "mailbox_command") &&
                s.result == d.target)
                return s.key;
        return level(d).user;
    }
    // The rights of a destination listed in an alias, :include: or .forward file (the
    // usr_attr of alias.c, include.c, dotforward.c): a .forward file's owner; the alias
    // database's owner unless trusted; else a trusted alias's :include: file's owner
    // unless trusted; else none (default_privs, without HOME and SHELL).
    std::optional<Account> listRights(const address::LocalDelivery& d) const {
        auto parts = chain(d.via);
        std::string include;
        for (size_t i = parts.size(); i-- > 0;) {
            const std::string& p = parts[i];
            if (p.rfind(":include:", 0) == 0) {
                if (include.empty()) include = p.substr(9);
                continue;
            }
            auto colon = p.rfind(':');
            if (i > 0 && !p.empty() && p[0] == '/' && colon != std::string::npos) {
                for (const address::Step& s : decisions.steps)
                    if (s.stage == "forward_path" && s.key == parts[i - 1] && s.result == p.substr(0, colon))
                        return account(parts[i - 1]);
                continue;
            }
            for (const address::Step& s : decisions.steps) {
                if (s.stage != "alias_maps" || s.key != p || s.status != address::StepStatus::Found) continue;
                if (auto owner = tableOwner(s.table); owner && !trusted(*owner)) return env.accountByUid(*owner);
                struct stat st {};
                if (!include.empty() && ::stat(include.c_str(), &st) == 0 && !trusted(st.st_uid))
                    return env.accountByUid(st.st_uid);
                return std::nullopt;
            }
        }
        return std::nullopt;
    }
    // Postfix trusts what root owns; an instance started by an ordinary user also
    // trusts that user's own files (its alias database is theirs).
    static bool trusted(uid_t owner) { return owner == 0 || owner == ::getuid(); }
    // The owner of a table's file ("hash:/etc/aliases": /etc/aliases.db, else the source).
    static std::optional<uid_t> tableOwner(const std::string& table) {
        auto colon = table.find(':');
        if (colon == std::string::npos) return std::nullopt;
        std::string path = table.substr(colon + 1);
        struct stat st {};
        for (const std::string& candidate : {path + ".db", path + ".lmdb", path})
            if (::stat(candidate.c_str(), &st) == 0) return st.st_uid;
        return std::nullopt;
    }
    // A file or command never runs as root: default_privs fills in a zero id.
    std::pair<uid_t, gid_t> unprivileged(const std::optional<Account>& acct) const {
        uid_t uid = acct ? acct->uid : 0;
        gid_t gid = acct ? acct->gid : 0;
        if (uid == 0 || gid == 0) {
            auto privs = account(env.settings.defaultPrivs);
            if (privs && uid == 0) uid = privs->uid;
            if (privs && gid == 0) gid = privs->gid;
        }
        return {uid, gid};
    }
    std::optional<Account> account(const std::string& name) const { return env.accounts(name); }
    Level level(const address::LocalDelivery& d) const {
        Level l;
        l.address = d.address.empty() ? recipient.address : d.address;
        auto parts = address::splitAddress(l.address);
        l.local = lower(parts.local);
        l.domain = lower(parts.domain);
        auto split = address::splitLocalPart(l.local, env.routing->get("recipient_delimiter"),
                                             env.routing->get("double_bounce_sender"));
        l.user = split ? split->local : l.local;
        if (split) l.extension = split->extension;
        return l;
    }
    bool switching() const { return env.switchUsers; }
};

// deliver_mailbox_file(): the UNIX mailbox, created 0600 for its user.
Outcome deliverMailbox(const Context& c, const address::LocalDelivery& d) {
    std::string user = c.mailboxUser(d);
    auto acct = c.account(user);
    const LocalSettings& s = c.env.settings;
    int flags = delivery::copy_flag::kMbox;
    if (!s.deliveredToFile) flags &= ~delivery::copy_flag::kDelivered;
    std::string data = delivery::formatCopy(c.envelope(), c.lines, flags);

    delivery::MboxTarget t;
    t.path = d.target;
    t.lock = s.mailboxLock;
    t.retry = s.lockRetry;
    uid_t spoolUid = ::geteuid();
    gid_t spoolGid = ::getegid();
    if (c.switching() && acct) {
        // local's choice: the user writes when the spool directory is world-writable
        // (or this is a home mailbox); with a group-writable one, as the user and the
        // directory's group; otherwise root writes and gives the file to the user.
        struct stat st {};
        std::string dir = s.mailSpoolDirectory;
        bool inSpool = !dir.empty() && d.target.compare(0, dir.size() + 1, dir + "/") == 0;
        if (!inSpool || ::stat(dir.c_str(), &st) < 0 || (st.st_mode & S_IWOTH)) {
            spoolUid = acct->uid;
            spoolGid = acct->gid;
        } else if (st.st_mode & S_IWGRP) {
            spoolUid = acct->uid;
            spoolGid = st.st_gid;
        } else {
            spoolUid = 0;
            spoolGid = 0;
        }
        if (spoolUid != acct->uid) {
            t.chownUid = acct->uid;
            t.chownGid = acct->gid;
        }
    }
    if (s.strictMailboxOwnership) t.requiredOwner = c.switching() && acct ? acct->uid : ::geteuid();
    std::optional<delivery::CopyFailure> failure;
    {
        Eugid as(c.switching() && acct, spoolUid, spoolGid);
        failure = delivery::appendMessage(t, data);
    }
    if (!failure) return sent("delivered to mailbox");
    return failed(failure->status, "cannot update mailbox " + d.target + " for user " + user + ". " + failure->reason);
}

Outcome maildir(const Context& c, const std::string& path, const std::optional<Account>& acct) {
    const LocalSettings& s = c.env.settings;
    int flags = delivery::copy_flag::kToFile | delivery::copy_flag::kReturnPath | delivery::copy_flag::kOrigRcpt;
    if (s.deliveredToFile) flags |= delivery::copy_flag::kDelivered;
    std::string data = delivery::formatCopy(c.envelope(), c.lines, flags);
    delivery::MaildirTarget t;
    t.path = path;
    t.hostname = s.maildirHostname;
    delivery::CopyFailure failure;
    base::Result<std::string> written = base::Error{""};
    {
        Eugid as(c.switching() && acct, acct ? acct->uid : 0, acct ? acct->gid : 0);
        written = delivery::deliverToMaildir(t, data, &failure);
    }
    if (written) return sent("delivered to maildir");
    if (written.error().errnum == EACCES && acct)
        c.env.warn("maildir access problem for UID/GID=" + std::to_string(acct->uid) + "/" + std::to_string(acct->gid) +
                   ": " + failure.reason);
    return failed(failure.status, "maildir delivery failed: " + failure.reason);
}

// deliver_file(): a file named in an alias or .forward file, appended like a mailbox
// with the rights of whoever listed it.
Outcome deliverFile(const Context& c, const address::LocalDelivery& d) {
    auto acct = c.listRights(d);
    auto [uid, gid] = c.unprivileged(acct);
    if (acct) {
        acct->uid = uid;
        acct->gid = gid;
    } else {
        acct = Account{c.env.settings.defaultPrivs, uid, gid, "", ""};
    }
    if (d.kind == Kind::Maildir) return maildir(c, d.target, acct);
    const LocalSettings& s = c.env.settings;
    int flags = delivery::copy_flag::kMbox;
    if (!s.deliveredToFile) flags &= ~delivery::copy_flag::kDelivered;
    delivery::MboxTarget t;
    t.path = d.target;
    t.lock = s.mailboxLock;
    t.dotLockMayFail = true;
    t.retry = s.lockRetry;
    t.allowNonRegular = true;
    t.refuseExecutable = true;
    struct stat st {};
    bool regular = ::stat(d.target.c_str(), &st) != 0 || S_ISREG(st.st_mode);
    if (!regular) flags &= ~delivery::copy_flag::kToFile;
    std::string data = delivery::formatCopy(c.envelope(), c.lines, flags);
    std::optional<delivery::CopyFailure> failure;
    {
        Eugid as(c.switching() && acct, acct ? acct->uid : 0, acct ? acct->gid : 0);
        failure = delivery::appendMessage(t, data);
    }
    if (!failure) return sent("delivered to file: " + d.target);
    return failed(failure->status, "cannot append message to file " + d.target + ": " + failure->reason);
}

// deliver_command(): the command with local's environment, as the user whose mailbox
// command it is, or whoever listed it.
Outcome deliverCommand(const Context& c, const address::LocalDelivery& d, bool mailboxCommand) {
    const LocalSettings& s = c.env.settings;
    std::string who = mailboxCommand ? c.mailboxUser(d) : std::string();
    auto acct = mailboxCommand ? c.account(who) : c.listRights(d);
    // USER, LOCAL, DOMAIN, EXTENSION and RECIPIENT describe the address being
    // delivered at this level of the expansion (the alias's, the mailbox user's).
    Level level = c.level(d);
    std::string user = level.user;
    std::vector<std::pair<std::string, std::string>> env;
    if (acct && !acct->home.empty()) env.emplace_back("HOME", acct->home);
    env.emplace_back("LOGNAME", user);
    env.emplace_back("USER", user);
    env.emplace_back("SENDER", c.request.sender);
    env.emplace_back("RECIPIENT", level.address);
    env.emplace_back("LOCAL", level.local);
    if (acct && !acct->shell.empty()) env.emplace_back("SHELL", acct->shell);
    env.emplace_back("DOMAIN", level.domain);
    if (!level.extension.empty()) env.emplace_back("EXTENSION", level.extension);
    if (!c.recipient.original.empty()) env.emplace_back("ORIGINAL_RECIPIENT", c.recipient.original);
    if (!c.request.dsnEnvid.empty()) env.emplace_back("ENVID", c.request.dsnEnvid);
    auto exportIf = [&](const char* name, const std::string& value) {
        if (!value.empty()) env.emplace_back(name, value);
    };
    exportIf("CLIENT_HOSTNAME", c.request.clientName);
    exportIf("CLIENT_ADDRESS", c.request.clientAddress);
    exportIf("CLIENT_HELO", c.request.heloName);
    exportIf("CLIENT_PROTOCOL", c.request.protocolName);
    exportIf("SASL_METHOD", c.request.saslMethod);
    exportIf("SASL_SENDER", c.request.saslSender);
    exportIf("SASL_USERNAME", c.request.saslUsername);
    // command_expansion_filter: other characters in the values become '_'.
    for (auto& kv : env)
        for (char& ch : kv.second)
            if (s.commandExpansionFilter.find(ch) == std::string::npos) ch = '_';

    int flags = delivery::copy_flag::kFrom | delivery::copy_flag::kReturnPath | delivery::copy_flag::kOrigRcpt;
    if (s.deliveredToCommand) flags |= delivery::copy_flag::kDelivered;
    CommandRun run;
    run.command = d.target;
    run.shell = s.localCommandShell;
    run.input = delivery::formatCopy(c.envelope(), c.lines, flags);
    run.environment = std::move(env);
    run.exportEnvironment = s.exportEnvironment;
    run.timeLimit = s.commandTimeLimit;
    if (!s.commandExecutionDirectory.empty()) {
        // local_expand(): local's own names only, each value through the filter.
        auto expanded = config::macroExpand(
            s.commandExecutionDirectory, 0, [&](std::string_view name) -> std::optional<std::string> {
                std::optional<std::string> v;
                if (name == "user")
                    v = level.user;
                else if (name == "home" && acct)
                    v = acct->home;
                else if (name == "shell" && acct)
                    v = acct->shell;
                else if (name == "domain")
                    v = level.domain;
                else if (name == "local" || name == "mailbox")
                    v = level.local;
                else if (name == "recipient")
                    v = level.address;
                else if (name == "extension" && !level.extension.empty())
                    v = level.extension;
                else if (name == "recipient_delimiter" && level.local.size() > level.user.size())
                    v = std::string(1, level.local[level.user.size()]);
                if (v)
                    for (char& ch : *v)
                        if (s.executionDirectoryFilter.find(ch) == std::string::npos) ch = '_';
                return v;
            });
        if (expanded.error) {
            c.env.warn("bad parameter value syntax for command_execution_directory: " + s.commandExecutionDirectory);
            return failed("4.3.5", "mail system configuration error");
        }
        run.directory = expanded.text;
    }
    if (c.switching()) {
        auto [uid, gid] = c.unprivileged(acct);
        if (uid == 0) return failed("4.3.0", "mail system configuration error");
        run.switchUser = true;
        run.uid = uid;
        run.gid = gid;
    }
    CommandResult r = runCommand(run);
    if (r.status == CommandStatus::Ok) return sent("delivered to command: " + d.target);
    Outcome o = failed(r.dsn.status, r.dsn.reason);
    o.kind = r.status == CommandStatus::Defer ? Outcome::Kind::Defer : Outcome::Kind::Bounce;
    return o;
}

// forward_send(): one new message through cleanup for every forwarded address, with
// local's Received: and Delivered-To: headers before the original content.
// `addresses`: each forwarded address, and whether an alias or .forward expansion
// reached it (its DSN NOTIFY then loses SUCCESS, as alias.c and dotforward.c pass it on).
Outcome forward(const Context& c, const std::vector<std::pair<std::string, bool>>& addresses) {
    const LocalSettings& s = c.env.settings;
    if (!c.env.openCleanup) return failed("4.3.0", "unable to forward message");
    int flags = queue::cleanup_flag::kBounce | queue::cleanup_flag::kMapOk;
    if (c.request.sendopts & 1) flags |= queue::cleanup_flag::kSmtputf8;  // SMTPUTF8_FLAG_REQUESTED
    auto opened = c.env.openCleanup(flags);
    if (!opened) {
        c.env.warn(opened.error().message);
        return failed("4.3.0", "unable to forward message");
    }
    Resubmission& out = **opened;
    timeval tv = c.env.now();
    out.record(rec::kTime, std::to_string(tv.tv_sec) + " " + std::to_string(tv.tv_usec));
    out.record(rec::kFrom, c.request.sender);
    if (c.request.dsnRet) out.record(rec::kAttr, "ret_flags=" + std::to_string(c.request.dsnRet));
    if (!c.request.dsnEnvid.empty()) out.record(rec::kAttr, "envelope_id=" + c.request.dsnEnvid);
    auto pass = [&](const char* name, const std::string& value) {
        if (!value.empty()) out.record(rec::kAttr, std::string(name) + "=" + value);
    };
    pass("log_client_name", c.request.clientName);
    pass("log_client_address", c.request.clientAddress);
    pass("log_protocol_name", c.request.protocolName);
    pass("log_helo_name", c.request.heloName);
    pass("sasl_method", c.request.saslMethod);
    pass("sasl_username", c.request.saslUsername);
    pass("sasl_sender", c.request.saslSender);
    pass("log_ident", c.request.logIdent);
    pass("rewrite_context", c.request.rewriteContext);
    for (const auto& [a, expanded] : addresses) {
        int notify = c.recipient.dsnNotify;
        if (expanded) notify = notify == 2 ? 1 : notify & ~2;  // SUCCESS alone becomes NEVER
        if (!c.recipient.dsnOrcpt.empty()) out.record(rec::kAttr, "dsn_orig_rcpt=" + c.recipient.dsnOrcpt);
        if (notify) out.record(rec::kAttr, "notify_flags=" + std::to_string(notify));
        if (!c.recipient.original.empty()) out.record(rec::kOrigRcpt, c.recipient.original);
        out.record(rec::kRcpt, a);
    }
    out.record(rec::kMesg, "");
    out.record(rec::kNorm, "Received: by " + s.myhostname + " (" + s.mailName + ")");
    out.record(rec::kNorm, "\tid " + out.queueId() + "; " + smtp::mailDate(tv.tv_sec));
    if (s.deliveredToForward) out.record(rec::kNorm, "Delivered-To: " + lower(c.recipient.address));
    for (const std::string& line : c.lines) out.record(rec::kNorm, line);
    out.record(rec::kXtra, "");
    auto status = out.finish();
    if (!status || *status != 0) {
        if (!status) c.env.warn(status.error().message);
        return failed("4.3.0", "unable to forward message");
    }
    Outcome o = sent("forwarded as " + out.queueId(), "relayed");
    o.notifyStripped = true;
    return o;
}

// deliver_pass(): the recipient handed to mailbox_transport or fallback_transport,
// which reports it itself.
Outcome passTo(const Context& c, const address::LocalDelivery& d) {
    const std::string& target = d.target;
    std::string transport = target, nexthop = c.request.nexthop;
    if (auto colon = target.find(':'); colon != std::string::npos) {
        transport = target.substr(0, colon);
        if (colon + 1 < target.size()) nexthop = target.substr(colon + 1);
    }
    delivery::DeliverRequest one = c.request;
    one.nexthop = nexthop;
    delivery::DeliverRecipient r = c.recipient;
    if (!d.address.empty()) r.address = d.address;
    r.offset = -1;  // the agent reports; this process marks the recipient done
    one.recipients = {r};
    c.env.info(c.request.queueId + ": passing <" + r.address + "> to transport=" + transport);
    PassResult result;
    if (c.env.pass) result = c.env.pass(transport, one);
    if (result.stage != PassResult::Stage::Replied) {
        if (!result.problem.empty()) c.env.warn(result.problem);
        Outcome o = failed("4.3.0", result.stage == PassResult::Stage::Unavailable ? "mail transport unavailable"
                                                                                   : "unknown mail transport error");
        o.relay = "none";
        return o;
    }
    Outcome o;
    bool done = result.status == delivery::kStatusFinal;
    o.kind = done ? Outcome::Kind::Sent : Outcome::Kind::Defer;
    o.reported = true;
    o.dsn.status = done ? "2.0.0" : "4.3.0";
    o.dsn.reason = "passed to " + transport;
    return o;
}

}  // namespace

std::optional<Account> systemAccount(const std::string& name) {
    passwd pw{};
    passwd* found = nullptr;
    char buf[4096];
    if (::getpwnam_r(name.c_str(), &pw, buf, sizeof buf, &found) != 0 || !found) return std::nullopt;
    return Account{found->pw_name, found->pw_uid, found->pw_gid, found->pw_dir, found->pw_shell};
}

std::optional<Account> systemAccountByUid(uid_t uid) {
    passwd pw{};
    passwd* found = nullptr;
    char buf[4096];
    if (::getpwuid_r(uid, &pw, buf, sizeof buf, &found) != 0 || !found) return std::nullopt;
    return Account{found->pw_name, found->pw_uid, found->pw_gid, found->pw_dir, found->pw_shell};
}

base::Result<LocalSettings> LocalSettings::read(const std::function<std::string(std::string_view)>& get,
                                                const std::function<std::string(std::string_view)>& raw) {
    LocalSettings s;
    auto lock = delivery::parseMailboxLock(get("mailbox_delivery_lock"));
    if (!lock) return lock.error();
    s.mailboxLock = *lock;
    // A count or a time value (seconds unless a unit says otherwise).
    auto number = [&](std::string_view name, long fallback) { return config::timeValue(get(name)).value_or(fallback); };
    s.lockRetry.tries = static_cast<int>(number("deliver_lock_attempts", 20));
    s.lockRetry.delaySeconds = static_cast<int>(number("deliver_lock_delay", 1));
    s.lockRetry.staleSeconds = static_cast<int>(number("stale_lock_time", 500));
    s.mailSpoolDirectory = get("mail_spool_directory");
    auto yes = [&](std::string_view name) { return lower(get(name)) == "yes"; };
    s.strictMailboxOwnership = yes("strict_mailbox_ownership");
    s.enableOriginalRecipient = yes("enable_original_recipient");
    std::string prepend = get("prepend_delivered_header");
    s.deliveredToCommand = listHas(prepend, "command");
    s.deliveredToFile = listHas(prepend, "file");
    s.deliveredToForward = listHas(prepend, "forward");
    s.commandTimeLimit = number("command_time_limit", 1000);
    s.commandExpansionFilter = get("command_expansion_filter");
    s.exportEnvironment.clear();
    std::string exportEnvironment = get("export_environment");  // splitAny's views point into it
    for (auto name : base::splitAny(exportEnvironment, ", \t\r\n"))
        if (!name.empty()) s.exportEnvironment.emplace_back(name);
    s.localCommandShell = get("local_command_shell");
    s.commandExecutionDirectory = raw("command_execution_directory");
    s.executionDirectoryFilter = get("execution_directory_expansion_filter");
    s.defaultPrivs = get("default_privs");
    s.myhostname = get("myhostname");
    s.mailName = get("mail_name");
    s.maildirHostname = delivery::maildirHostname();
    return s;
}

delivery::DeliverRecipient reportedRecipient(const delivery::DeliverRecipient& recipient, const Outcome& outcome) {
    constexpr int kNever = 1 << 0, kSuccess = 1 << 1;  // DSN_NOTIFY_NEVER, DSN_NOTIFY_SUCCESS
    delivery::DeliverRecipient r = recipient;
    if (outcome.address.empty() && !outcome.notifyStripped) return r;
    if (!outcome.address.empty()) r.address = outcome.address;
    if (r.dsnNotify == kSuccess)
        r.dsnNotify = kNever;
    else
        r.dsnNotify &= ~kSuccess;
    return r;
}

bool deliveredToSeen(const std::vector<std::string>& lines, std::string_view address) {
    std::string wanted = lower(address::quoteLocalPart(address));
    constexpr std::string_view kName = "delivered-to:";
    for (const std::string& line : lines) {
        if (line.empty()) break;
        if (line[0] == ' ' || line[0] == '\t') continue;
        auto colon = line.find(':');
        if (colon == std::string::npos) break;  // not a header: the body starts
        std::string name = lower(std::string_view(line).substr(0, colon));
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.pop_back();
        if (name + ":" != kName) continue;
        size_t v = colon + 1;
        while (v < line.size() && std::isspace(static_cast<unsigned char>(line[v]))) ++v;
        if (lower(std::string_view(line).substr(v)) == wanted) return true;
    }
    return false;
}

namespace {

// The would-be delivery's text when verifying (nullopt: a kind that reports itself
// the same either way: a bounce, a deferral, a discard, a pass to another transport).
std::optional<std::string> wouldDeliver(const address::LocalDeliveryResult& decisions,
                                        const address::LocalDelivery& d) {
    auto fromStage = [&](const char* stage) {
        for (const address::Step& s : decisions.steps)
            if (s.stage == stage && s.result == d.target) return true;
        return false;
    };
    switch (d.kind) {
        case Kind::Mailbox:
            return std::string("delivers to mailbox");
        case Kind::Maildir:
            if (fromStage("mail_spool_directory") || fromStage("home_mailbox"))
                return std::string("delivers to maildir");
            return "delivers to file: " + d.target;
        case Kind::File:
            return "delivers to file: " + d.target;
        case Kind::Command:
            return "delivers to command: " + d.target;
        case Kind::Forward:
            return "forwards to " + d.target;
        default:
            return std::nullopt;
    }
}

}  // namespace

std::vector<Outcome> deliverRecipient(const LocalEnvironment& env, const delivery::DeliverRequest& request,
                                      const std::vector<std::string>& lines,
                                      const delivery::DeliverRecipient& recipient) {
    // recipient.c: mail that was already delivered to this address looped back.
    if (deliveredToSeen(lines, recipient.address))
        return {failed("5.4.6", "mail forwarding loop for " + recipient.address)};

    address::LocalDeliveryResult decisions = address::deliverLocal(*env.routing, recipient.address, env.users);
    Context c{env, request, lines, recipient, decisions};

    std::vector<Outcome> outcomes;
    std::vector<std::pair<std::string, bool>> forwards;
    std::vector<std::string> loops;
    for (const address::LocalDelivery& d : decisions.deliveries) {
        size_t before = outcomes.size();
        // recipient.c checks each level of the expansion too: a member the message was
        // already delivered to bounces instead of getting it again.
        bool final = d.kind == Kind::Bounce || d.kind == Kind::Defer || d.kind == Kind::Discard;
        if (!final && !d.address.empty() && lower(d.address) != lower(recipient.address) &&
            deliveredToSeen(lines, d.address)) {
            bool seen = false;
            for (const std::string& l : loops) seen = seen || l == lower(d.address);
            if (!seen) {
                loops.push_back(lower(d.address));
                outcomes.push_back(failed("5.4.6", "mail forwarding loop for " + d.address));
                outcomes.back().address = d.address;
            }
            continue;
        }
        // DEL_REQ_TRACE_ONLY (sendmail -bv): what would be done is reported, nothing is
        // done (mailbox.c, maildir.c, file.c, command.c, indirect.c).
        if (request.flags & delivery::kFlagUserVerify) {
            if (std::optional<std::string> would = wouldDeliver(decisions, d)) {
                outcomes.push_back(sent(*would));
                const std::string& to = d.kind == Kind::Forward ? d.target : d.address;
                if (to != recipient.address) outcomes.back().address = to;
                continue;
            }
        }
        switch (d.kind) {
            case Kind::Mailbox:
                outcomes.push_back(deliverMailbox(c, d));
                break;
            case Kind::Maildir: {
                // A Maildir from home_mailbox or mail_spool_directory is the user's;
                // one listed in an alias or .forward file is written like a file.
                bool mailbox = false;
                for (const address::Step& s : decisions.steps)
                    if ((s.stage == "mail_spool_directory" || s.stage == "home_mailbox") && s.result == d.target)
                        mailbox = true;
                if (mailbox)
                    outcomes.push_back(maildir(c, d.target, c.account(c.mailboxUser(d))));
                else
                    outcomes.push_back(deliverFile(c, d));
                break;
            }
            case Kind::File:
                outcomes.push_back(deliverFile(c, d));
                break;
            case Kind::Command: {
                bool mailboxCommand = false;
                for (const address::Step& s : decisions.steps)
                    if (s.stage == "mailbox_command" && s.result == d.target) mailboxCommand = true;
                outcomes.push_back(deliverCommand(c, d, mailboxCommand));
                break;
            }
            case Kind::Forward:
                forwards.emplace_back(d.target, !d.via.empty());
                break;
            case Kind::Transport:
                outcomes.push_back(passTo(c, d));
                break;
            case Kind::Bounce:
            case Kind::Defer: {
                auto [status, text] = splitDsnText(d.target);
                Outcome o = failed(status, text);
                if (d.kind == Kind::Defer && o.kind == Outcome::Kind::Bounce) o.kind = Outcome::Kind::Defer;
                outcomes.push_back(o);
                break;
            }
            case Kind::Discard: {
                auto [status, text] = splitDsnText(d.target);
                outcomes.push_back(sent(text));
                outcomes.back().dsn.status = status;
                break;
            }
        }
        if (outcomes.size() > before && d.address != recipient.address) outcomes.back().address = d.address;
    }
    // forward_finish(): the forwarded copy goes out after the recipient's other
    // destinations, and only when none of them was deferred.
    if (!forwards.empty()) {
        bool deferred = false;
        for (const Outcome& o : outcomes)
            if (o.kind == Outcome::Kind::Defer) deferred = true;
        if (!deferred) outcomes.push_back(forward(c, forwards));
    }
    if (outcomes.empty()) outcomes.push_back(failed("5.3.0", "no delivery for " + recipient.address));
    return outcomes;
}

}  // namespace postline::local
