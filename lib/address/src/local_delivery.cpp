// local(8)'s delivery decisions, without delivering: alias expansion (alias.c with
// token.c and include.c), the user's .forward file (dotforward.c, local_expand.c) and
// the mailbox choice (mailbox.c, unknown.c).
#include "postline/address/local_delivery.h"

#include <pwd.h>
#include <sys/stat.h>

#include <set>
#include <utility>

#include "postline/address/address_parts.h"
#include "postline/address/local_domains.h"
#include "postline/address/local_tokens.h"
#include "postline/address/resolve.h"
#include "postline/address/rewrite.h"
#include "postline/address/routing_context.h"
#include "postline/base/files.h"
#include "postline/base/strings.h"
#include "postline/config/config.h"
#include "postline/config/expand.h"

namespace postline::address {

const char* localDeliveryKindName(LocalDelivery::Kind kind) {
    switch (kind) {
        case LocalDelivery::Kind::Mailbox:
            return "mailbox";
        case LocalDelivery::Kind::Maildir:
            return "maildir";
        case LocalDelivery::Kind::Command:
            return "command";
        case LocalDelivery::Kind::File:
            return "file";
        case LocalDelivery::Kind::Forward:
            return "forward";
        case LocalDelivery::Kind::Transport:
            return "transport";
        case LocalDelivery::Kind::Bounce:
            return "bounce";
        case LocalDelivery::Kind::Defer:
            return "defer";
        case LocalDelivery::Kind::Discard:
            return "discard";
    }
    return "defer";
}

std::optional<LocalUser> lookupSystemUser(const std::string& name) {
    passwd pw{};
    passwd* found = nullptr;
    char buf[4096];
    getpwnam_r(name.c_str(), &pw, buf, sizeof buf, &found);
    if (!found) return std::nullopt;
    return LocalUser{found->pw_dir, found->pw_shell, found->pw_uid};
}

namespace {

constexpr int kMaxDepth = 100;

using Expansion = ExpansionClass;

struct Expander {
    RoutingContext& context;
    LocalDeliveryResult& out;
    const LocalUserLookup& users;
    // The user whose .forward file is being expanded (local's msg_attr.owner), and the
    // .forward files already opened (been_here "forward %s").
    std::string owner;
    std::set<std::string> forwardsSeen;
    // The :include: files already expanded (include.c's been_here "include UID PATH"):
    // each is read once, so that a file that includes itself is no loop.
    std::set<std::string> includesSeen;
    // The address extension that addresses of the expansion under way get spliced in
    // (msg_attr.unmatched: "+ext" with its delimiter, or empty), as the recipient being
    // expanded set it; each recipient sets its own (recipient.c copies the state).
    std::string unmatched;
    bool extensionUsed = false;  // a forward_path entry being expanded used $extension
    std::string current;         // the address being expanded (local's msg_attr.rcpt.address)
    int currentDepth = 0;        // its nesting level

    // local(8)'s duplicate filter (been_here "mailbox %s", "indirect %s", ...): a
    // destination reached again through another alias path gets the mail once, by the
    // first path. Bounces and deferrals are each reported.
    void add(LocalDelivery::Kind kind, std::string target, const std::string& via) {
        using K = LocalDelivery::Kind;
        bool delivery = kind != K::Bounce && kind != K::Defer && kind != K::Discard;
        if (delivery)
            for (const LocalDelivery& d : out.deliveries)
                if (d.kind == kind && d.target == target) return;
        out.deliveries.push_back({kind, std::move(target), via, current});
    }

    // deliver_token: one item of an alias, :include: file or .forward expansion.
    // `from` is the alias whose expansion produced the item (local's exp_from).
    void token(const std::string& item, const std::string& via, int depth, const std::string& from, Expansion type) {
        LocalToken tok = classifyToken(item);
        switch (tok.kind) {
            case LocalToken::Kind::Include: {
                const std::string& path = tok.text;
                if (!includesSeen.insert(path).second) return;
                auto lines = readIncludeFile(path);
                if (!lines) {
                    add(LocalDelivery::Kind::Bounce, std::string(kIncludeFileStatus), via);
                    out.steps.push_back(makeStep("include", path, lines.error().message, StepStatus::Error));
                    return;
                }
                out.steps.push_back(makeStep("include", path, "read", StepStatus::Decided));
                for (const IncludeLine& line : *lines)
                    list(line.text, via + " -> :include:" + path, depth + 1, from, Expansion::Include);
                return;
            }
            case LocalToken::Kind::Command:
                if (expansionAllowed(context.config(), "allow_mail_to_commands", type))
                    add(LocalDelivery::Kind::Command, tok.text, via);
                else
                    add(LocalDelivery::Kind::Bounce, "5.7.1 mail to command is restricted", via);
                return;
            case LocalToken::Kind::File:
                if (expansionAllowed(context.config(), "allow_mail_to_files", type))
                    add(item.back() == '/' ? LocalDelivery::Kind::Maildir : LocalDelivery::Kind::File, item, via);
                else
                    add(LocalDelivery::Kind::Bounce, "5.7.1 mail to file is restricted", via);
                return;
            case LocalToken::Kind::Address:
                break;
        }
        resolveAndDeliver(item, via, depth, from, type);
    }

    // deliver_resolve_addr/tree (resolve.c): the address is resolved as qmgr would; what
    // resolves to local's own transport is delivered here, anything else is forwarded
    // in a new message (deliver_indirect), where its own transport takes it.
    void resolveAndDeliver(const std::string& item, const std::string& via, int depth, const std::string& from,
                           Expansion type) {
        std::string address = rewriteAddress(item, RewriteSettings::local(context.config()));
        Resolution res = resolveAddress(context, "", address);
        if (res.fail) {
            add(LocalDelivery::Kind::Defer, "4.3.0 address resolver failure", via);
            return;
        }
        if (res.error) {
            add(LocalDelivery::Kind::Bounce, "5.1.3 bad recipient address syntax: " + res.recipient, via);
            return;
        }
        address = res.recipient;
        if (!unmatched.empty()) {
            // resolve.c splices the unmatched extension in before the domain.
            auto at = address.rfind('@');
            address.insert(at == std::string::npos ? address.size() : at, unmatched);
        }
        if (res.transport == localTransport())
            recipient(address, via, depth + 1, from, type);
        else
            add(LocalDelivery::Kind::Forward, address, via);
    }

    // The service local(8) runs as (msg_attr.relay): local_transport's transport.
    std::string localTransport() {
        std::string lt = context.get("local_transport");
        return lt.substr(0, lt.find(':'));
    }

    // Returns how many destinations the expansion listed.
    int list(const std::string& expansion, const std::string& via, int depth, const std::string& from, Expansion type) {
        std::vector<std::string> items = listItems(expansion);
        for (const std::string& item : items) token(item, via, depth, from, type);
        return static_cast<int>(items.size());
    }

    // Alias lookup of one name; true when it was expanded (or failed).
    // An alias that lists itself is not expanded again: that name gets its mailbox.
    bool alias(const std::string& name, const std::string& via, int depth, const std::string& from) {
        // local(8) opens alias_maps with DICT_FLAG_PARANOID: a regexp or pcre rule whose
        // result has a $n substitution is skipped (with a warning) when the table opens.
        auto& aliases = context.maps("alias_maps", maps::flag::kNoRegsub);
        if (aliases.empty() || name == from) return false;
        // alias.c checks the nesting level before the lookup: at the level where a loop
        // is caught, every name of the list bounces, aliases or not.
        if (depth > kMaxDepth) {
            add(LocalDelivery::Kind::Bounce, "5.4.6 alias database loop for " + name, via);
            out.steps.push_back(
                makeStep("alias_maps", name, "5.4.6 alias database loop for " + name, StepStatus::Reject));
            return true;
        }
        auto hit = aliases.find(name);
        Step s = makeStep("alias_maps", name, hit.value, StepStatus::NotFound);
        s.table = hit.table;
        s.warnings = hit.warnings;
        s.tried.push_back(name);
        if (hit.isError()) {
            s.status = StepStatus::Error;
            s.result = hit.error;
            out.steps.push_back(std::move(s));
            add(LocalDelivery::Kind::Defer, "4.3.0 alias database unavailable", via);
            return true;
        }
        if (!hit.isFound()) {
            out.steps.push_back(std::move(s));
            return false;
        }
        s.status = StepStatus::Found;
        out.steps.push_back(std::move(s));
        auto owner = aliases.find("owner-" + name);
        if (owner.isFound()) {
            Step o = makeStep("alias_maps", "owner-" + name, owner.value + " (errors go to owner-" + name + ")",
                              StepStatus::Found);
            o.table = owner.table;
            out.steps.push_back(std::move(o));
        }
        list(hit.value, via.empty() ? name : via + " -> " + name, depth, name, Expansion::Alias);
        return true;
    }

    void recipient(const std::string& address, const std::string& via, int depth, const std::string& from,
                   std::optional<Expansion> type = std::nullopt) {
        struct Depth {
            int& slot;
            int saved;
            ~Depth() { slot = saved; }
        } keepDepth{currentDepth, std::exchange(currentDepth, depth)};
        struct Current {
            std::string& slot;
            std::string saved;
            ~Current() { slot = std::move(saved); }
        } level{current, std::exchange(current, address)};
        auto parts = splitAddress(address);
        std::string local = lowercase(parts.local);
        std::string delimiters = context.get("recipient_delimiter");
        auto split = splitLocalPart(local, delimiters, context.get("double_bounce_sender"));
        std::string user = split ? split->local : local;
        if (user.empty()) {
            add(LocalDelivery::Kind::Bounce, "5.1.3 null username in " + address, via);
            return;
        }
        struct Restore {
            std::string& slot;
            std::string saved;
            ~Restore() { slot = std::move(saved); }
        } restore{unmatched, unmatched};
        // recipient.c: the full local part matches its extension; the bare user leaves
        // it unmatched, and propagate_unmatched_extensions decides whether the alias's
        // addresses get it.
        unmatched.clear();
        if (alias(local, via, depth, from)) return;
        std::string extension = split ? std::string(1, split->delimiter) + split->extension : std::string();
        if (split && propagates("alias")) unmatched = extension;
        if (split && alias(user, via, depth, from)) return;
        unmatched = extension;
        // Another user listed in a .forward file gets the mail in a new message
        // (deliver_indirect); the owner listing themselves gets the mailbox.
        if (!owner.empty() && owner != user) {
            add(LocalDelivery::Kind::Forward, address, via);
            return;
        }
        // A name from an :include: file that is no alias goes out in a new message too.
        if (type == Expansion::Include) {
            add(LocalDelivery::Kind::Forward, address, via);
            return;
        }
        if (forward(address, user, local, split ? std::optional<LocalSplit>(*split) : std::nullopt, via, depth)) return;
        mailbox(user, local, via);
    }

    bool propagates(std::string_view feature) {
        for (auto& item : maps::splitMapSpecs(context.get("propagate_unmatched_extensions")))
            if (lowercase(item) == feature) return true;
        return false;
    }

    // local_expand.c: forward_path's own names, then main.cf parameters. Values pass
    // through forward_expansion_filter (other characters become '_').
    std::optional<std::string> forwardName(std::string_view name, const std::string& address, const std::string& user,
                                           const std::string& local, const std::optional<LocalSplit>& split,
                                           const LocalUser& pw) {
        auto parts = splitAddress(address);
        std::optional<std::string> value;
        if (name == "user")
            value = user;
        else if (name == "home")
            value = pw.home;
        else if (name == "shell")
            value = pw.shell;
        else if (name == "domain")
            value = lowercase(parts.domain);
        else if (name == "local" || name == "mailbox")
            value = local;
        else if (name == "recipient")
            value = address;
        else if (name == "extension") {
            extensionUsed = true;  // LOCAL_EXP_EXTENSION_MATCHED
            if (split) value = split->extension;
        } else if (name == "recipient_delimiter") {
            if (split) value = std::string(1, split->delimiter);
        } else if (context.config().raw(name))
            value = context.config().get(name);
        if (!value) return value;
        std::string filter = context.config().get("forward_expansion_filter");
        for (char& c : *value)
            if (filter.find(c) == std::string::npos) c = '_';
        return value;
    }

    // deliver_dotforward: the first file of forward_path that exists, if the user has
    // a password file entry; its lines are expanded like an alias value, with the
    // rights of a .forward file. False when there is none (or it lists nothing): the
    // mailbox is next.
    bool forward(const std::string& address, const std::string& user, const std::string& local,
                 const std::optional<LocalSplit>& split, const std::string& via, int depth) {
        std::string forwardPath = context.config().raw("forward_path").value_or("");
        if (forwardPath.empty()) return false;
        auto pw = users(user);
        if (!pw) return false;
        std::string path;
        struct stat st {};
        bool exists = false;
        for (auto entry : base::splitAny(forwardPath, ", \t\r\n")) {
            if (entry.empty()) continue;
            extensionUsed = false;
            auto expanded = config::macroExpand(
                entry, 0, [&](std::string_view name) { return forwardName(name, address, user, local, split, *pw); });
            if (expanded.error || expanded.undef) continue;
            if (lstat(expanded.text.c_str(), &st) == 0) {
                path = expanded.text;
                exists = true;
                // dotforward.c: a file named with the extension matched it; otherwise
                // it propagates only with "forward" in propagate_unmatched_extensions.
                if (extensionUsed || !propagates("forward")) unmatched.clear();
                break;
            }
        }
        if (!exists || !forwardsSeen.insert(path).second) return false;
        Step s = makeStep("forward_path", user, path, StepStatus::Found);
        std::string problem;
        if (!S_ISREG(st.st_mode))
            problem = "file " + path + " is not a regular file";
        else if (st.st_uid != 0 && st.st_uid != pw->uid)
            problem = "file " + path + " has bad owner uid " + std::to_string(st.st_uid);
        else if (st.st_mode & S_IWOTH)
            problem = "file " + path + " is world writable";
        std::string content;
        if (problem.empty()) {
            auto read = base::readFile(path);
            if (read)
                content = std::move(*read);
            else
                problem = "cannot open file " + path + ": " + read.error().message;
        }
        if (!problem.empty()) {
            s.status = StepStatus::Error;
            s.warnings.push_back(problem);
            out.steps.push_back(std::move(s));
            return false;
        }
        out.steps.push_back(std::move(s));
        // deliver_token_stream, as for :include: files: each line on its own.
        std::string savedOwner = owner;
        owner = user;
        int count = 0;
        for (const IncludeLine& line : tokenStreamLines(content)) {
            std::string where = path + ":" + std::to_string(line.line);
            out.steps.push_back(makeStep("forward", where, line.text, StepStatus::Found));
            count += list(line.text, (via.empty() ? user : via + " -> " + user) + " -> " + where, depth + 1, local,
                          Expansion::Forward);
        }
        owner = savedOwner;
        return count > 0;
    }

    void mailbox(const std::string& user, const std::string& local, const std::string& via) {
        const auto& config = context.config();
        std::string transport = config.get("mailbox_transport");
        if (!transport.empty()) {
            add(LocalDelivery::Kind::Transport, transport, via);
            out.steps.push_back(makeStep("mailbox_transport", user, transport, StepStatus::Decided));
            return;
        }
        auto found = users(user);
        if (!found) {
            unknown(user, local, via);
            return;
        }
        std::string home = found->home;
        // mailbox_command is taken as written: neither main.cf nor local(8) expands it
        // ($EXTENSION and the like are the command's environment).
        std::string command = config.raw("mailbox_command").value_or("");
        if (!command.empty()) {
            add(LocalDelivery::Kind::Command, command, via);
            out.steps.push_back(makeStep("mailbox_command", user, command, StepStatus::Decided));
            return;
        }
        std::string homeMailbox = config.get("home_mailbox");
        if (!homeMailbox.empty()) {
            std::string path = home + "/" + homeMailbox;
            bool maildir = path.back() == '/';
            add(maildir ? LocalDelivery::Kind::Maildir : LocalDelivery::Kind::Mailbox, path, via);
            out.steps.push_back(makeStep("home_mailbox", user, path, StepStatus::Decided));
            return;
        }
        std::string path = config.get("mail_spool_directory");
        bool maildir = !path.empty() && path.back() == '/';
        path += (maildir ? "" : "/") + user + (maildir ? "/" : "");
        add(maildir ? LocalDelivery::Kind::Maildir : LocalDelivery::Kind::Mailbox, path, via);
        out.steps.push_back(makeStep("mail_spool_directory", user, path, StepStatus::Decided));
    }

    // deliver_unknown (unknown.c): fallback_transport, then luser_relay; mail for a
    // postmaster or MAILER-DAEMON without an alias is discarded; else bounce.
    void unknown(const std::string& user, const std::string& local, const std::string& via) {
        const auto& config = context.config();
        std::string fallback = config.get("fallback_transport");
        if (!fallback.empty()) {
            add(LocalDelivery::Kind::Transport, fallback, via);
            out.steps.push_back(makeStep("fallback_transport", user, fallback, StepStatus::Decided));
            return;
        }
        std::string relay = config.raw("luser_relay").value_or("");
        if (!relay.empty()) {
            // $user, $local and friends are local(8)'s own macros, expanded per recipient.
            std::string expanded = relay;
            for (auto name : {std::string("$user"), std::string("${user}")}) {
                size_t pos;
                while ((pos = expanded.find(name)) != std::string::npos) expanded.replace(pos, name.size(), user);
            }
            expanded = config.expand(expanded);
            std::string address = rewriteAddress(expanded, RewriteSettings::local(config));
            out.steps.push_back(makeStep("luser_relay", user, address, StepStatus::Decided));
            // The relay address that is the recipient itself would loop: unknown user.
            if (lowercase(address) == lowercase(current)) {
                add(LocalDelivery::Kind::Bounce, "5.1.1 unknown user: \"" + user + "\"", via);
                return;
            }
            std::string savedUnmatched = std::exchange(unmatched, std::string());
            resolveAndDeliver(expanded, via, currentDepth, "", Expansion::Alias);
            unmatched = std::move(savedUnmatched);
            return;
        }
        if (local == "mailer-daemon" || local == "postmaster") {
            add(LocalDelivery::Kind::Discard, "2.0.0 discarded", via);
            Step s = makeStep("local", local, "2.0.0 discarded", StepStatus::Decided);
            s.warnings.push_back("required alias not found: " + local);
            out.steps.push_back(std::move(s));
            return;
        }
        std::string text = "5.1.1 unknown user: \"" + user + "\"";
        add(LocalDelivery::Kind::Bounce, text, via);
        out.steps.push_back(makeStep("local", user, text, StepStatus::Reject));
    }
};

}  // namespace

LocalDeliveryResult deliverLocal(RoutingContext& context, std::string_view recipient, const LocalUserLookup& users) {
    LocalDeliveryResult out;
    Expander e{context, out, users, {}, {}, {}, {}, false, {}, 0};
    e.recipient(std::string(recipient), "", 0, "");
    return out;
}

}  // namespace postline::address
