// pipe(8)'s master.cf attributes and command-line expansion (Postfix's pipe/pipe.c
// get_service_attr and expand_argv, util/unescape.c, global/fold_addr.c).
#include "pipe_args.h"

#include <grp.h>
#include <pwd.h>
#include <strings.h>

#include <cctype>
#include <map>

#include "postline/address/address_parts.h"
#include "postline/base/strings.h"
#include "postline/delivery/mbox.h"

namespace postline::pipe {

namespace {

bool hasPrefix(std::string_view arg, std::string_view prefix) {
    return arg.size() >= prefix.size() && ::strncasecmp(arg.data(), prefix.data(), prefix.size()) == 0;
}

// Which macros exist, and which of them take one argument per recipient.
enum class Macro { Single, Recipient, OriginalRecipient, User, Extension, Mailbox, Domain };
const std::map<std::string, Macro, std::less<>>& macros() {
    static const std::map<std::string, Macro, std::less<>> table{
        {"nexthop", Macro::Single},
        {"recipient", Macro::Recipient},
        {"original_recipient", Macro::OriginalRecipient},
        {"sender", Macro::Single},
        {"user", Macro::User},
        {"extension", Macro::Extension},
        {"mailbox", Macro::Mailbox},
        {"domain", Macro::Domain},
        {"size", Macro::Single},
        {"client_address", Macro::Single},
        {"client_hostname", Macro::Single},
        {"client_port", Macro::Single},
        {"client_protocol", Macro::Single},
        {"client_helo", Macro::Single},
        {"sasl_method", Macro::Single},
        {"sasl_username", Macro::Single},
        {"sasl_sender", Macro::Single},
        {"queue_id", Macro::Single},
        {"envid", Macro::Single},
    };
    return table;
}

// mac_parse(): the pieces of an argument, literal text and macro names in turn.
struct Piece {
    bool macro;
    std::string text;
};
std::optional<std::vector<Piece>> parsePieces(std::string_view arg, const ExpandContext& ctx) {
    std::vector<Piece> pieces;
    std::string literal;
    for (size_t i = 0; i < arg.size();) {
        if (arg[i] != '$') {
            literal += arg[i++];
            continue;
        }
        if (i + 1 < arg.size() && arg[i + 1] == '$') {
            literal += '$';
            i += 2;
            continue;
        }
        if (!literal.empty()) pieces.push_back({false, std::move(literal)});
        literal.clear();
        ++i;
        std::string name;
        if (i < arg.size() && (arg[i] == '{' || arg[i] == '(')) {
            char open = arg[i], close = open == '{' ? '}' : ')';
            int level = 1;
            size_t start = ++i;
            while (level > 0) {
                if (i == arg.size()) {
                    ctx.warn("truncated macro reference: \"" + std::string(arg) + "\"");
                    return std::nullopt;
                }
                if (arg[i] == open) ++level;
                if (arg[i] == close) --level;
                ++i;
            }
            name = std::string(arg.substr(start, i - start - 1));
        } else {
            size_t start = i;
            while (i < arg.size() && (std::isalnum(static_cast<unsigned char>(arg[i])) || arg[i] == '_')) ++i;
            name = std::string(arg.substr(start, i - start));
        }
        if (name.empty()) {
            ctx.warn("empty macro name: \"" + std::string(arg) + "\"");
            return std::nullopt;
        }
        pieces.push_back({true, std::move(name)});
    }
    if (!literal.empty()) pieces.push_back({false, std::move(literal)});
    return pieces;
}

// morph_recipient(): quoted ('q') and folded ('u', 'h') as the flags say.
std::string morph(std::string_view address, int flags, const ExpandContext& ctx) {
    std::string quoted = (flags & kQuoteLocal) && ctx.quoteLocal ? ctx.quoteLocal(address) : std::string(address);
    return foldAddress(quoted, flags & kFoldUser, flags & kFoldHost);
}

}  // namespace

std::optional<UserEntry> systemUser(const std::string& name) {
    passwd* pw = ::getpwnam(name.c_str());
    if (!pw) return std::nullopt;
    return UserEntry{pw->pw_uid, pw->pw_gid};
}

std::optional<gid_t> systemGroup(const std::string& name) {
    group* gr = ::getgrnam(name.c_str());
    if (!gr) return std::nullopt;
    return gr->gr_gid;
}

std::string foldAddress(std::string_view address, bool user, bool host) {
    size_t at = address.rfind('@');
    std::string local(at == std::string_view::npos ? address : address.substr(0, at));
    std::string domain(at == std::string_view::npos ? std::string_view{} : address.substr(at));
    if (user) local = base::lowercase(local);
    if (host) domain = base::lowercase(domain);
    return local + domain;
}

base::Result<PipeAttributes> parseAttributes(const std::vector<std::string>& args, const UserLookup& users,
                                             const GroupLookup& groups) {
    using namespace delivery::copy_flag;
    PipeAttributes attr;
    bool haveUser = false, haveCommand = false;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (hasPrefix(arg, "flags=")) {
            for (char c : arg.substr(6)) {
                switch (c) {
                    case 'B':
                        attr.flags |= kBlank;
                        break;
                    case 'D':
                        attr.flags |= kDelivered;
                        break;
                    case 'F':
                        attr.flags |= kFrom;
                        break;
                    case 'O':
                        attr.flags |= kOrigRcpt;
                        break;
                    case 'R':
                        attr.flags |= kReturnPath;
                        break;
                    case 'X':
                        attr.flags |= kFinalDelivery;
                        break;
                    case '.':
                        attr.flags |= kDot;
                        break;
                    case '>':
                        attr.flags |= kQuote;
                        break;
                    case 'h':
                        attr.flags |= kFoldHost;
                        break;
                    case 'q':
                        attr.flags |= kQuoteLocal;
                        break;
                    case 'u':
                        attr.flags |= kFoldUser;
                        break;
                    default:
                        return base::Error{std::string("unknown flag: ") + c + " (ignored)"};
                }
            }
        } else if (hasPrefix(arg, "user=")) {
            std::string value = arg.substr(5);
            std::string group;
            if (size_t colon = value.find(':'); colon != std::string::npos) {
                group = value.substr(colon + 1);
                value.resize(colon);
            }
            auto pw = users(value);
            if (!pw) return base::Error{"get_service_attr: unknown username: " + value};
            attr.user = value;
            attr.uid = pw->uid;
            attr.gid = pw->gid;
            if (!group.empty()) {
                auto gr = groups(group);
                if (!gr) return base::Error{"get_service_attr: unknown group: " + group};
                attr.gid = *gr;
            }
            haveUser = true;
        } else if (hasPrefix(arg, "directory=")) {
            attr.directory = arg.substr(10);
        } else if (hasPrefix(arg, "chroot=")) {
            attr.chroot = arg.substr(7);
        } else if (hasPrefix(arg, "eol=")) {
            attr.eol = base::unescapeC(std::string_view(arg).substr(4));
        } else if (hasPrefix(arg, "null_sender=")) {
            attr.nullSender = arg.substr(12);
        } else if (hasPrefix(arg, "size=")) {
            std::string v = arg.substr(5);
            bool digits = !v.empty() && v.size() < 19;
            for (char c : v) digits = digits && c >= '0' && c <= '9';
            if (!digits) return base::Error{"get_service_attr: bad size= value: " + v};
            attr.sizeLimit = std::stol(v);
        } else if (hasPrefix(arg, "argv=")) {
            attr.command.push_back(arg.substr(5));
            for (size_t j = i + 1; j < args.size(); ++j) attr.command.push_back(args[j]);
            haveCommand = true;
            break;
        } else {
            return base::Error{"unknown attribute name: " + arg};
        }
    }
    if (!haveUser) return base::Error{"missing user= command-line attribute"};
    if (!haveCommand) return base::Error{"missing argv= command-line attribute"};
    return attr;
}

base::Status checkPrivileges(const PipeAttributes& attr, const PrivilegeLimits& limits) {
    const std::string prefix = "user= command-line attribute specifies ";
    if (attr.uid == 0) return base::Error{prefix + "root privileges"};
    if (!limits.privileged) {
        if (attr.uid != limits.runningUid)
            return base::Error{base::cat(prefix, attr.user, " (uid ", attr.uid, "), but pipe runs as uid ",
                                         limits.runningUid, " and cannot change to it")};
        return base::Status::success();
    }
    if (limits.ownerUid && attr.uid == *limits.ownerUid)
        return base::Error{prefix + "mail system owner " + limits.mailOwner};
    if (attr.gid == 0) return base::Error{prefix + "privileged group id 0"};
    if (limits.ownerGid && attr.gid == *limits.ownerGid)
        return base::Error{base::cat(prefix, "mail system owner ", limits.mailOwner, " group id ", attr.gid)};
    if (limits.setgidGid && attr.gid == *limits.setgidGid)
        return base::Error{base::cat(prefix, "mail system ", limits.setgidGroup, " group id ", attr.gid)};
    return base::Status::success();
}

std::optional<std::vector<std::string>> expandCommand(const std::vector<std::string>& command, int flags,
                                                      const std::vector<ExpandRecipient>& recipients,
                                                      const ExpandContext& ctx) {
    const std::map<std::string, std::string, std::less<>> single{
        {"sender", ctx.sender},
        {"nexthop", ctx.nexthop},
        {"size", ctx.size},
        {"client_address", ctx.clientAddress},
        {"client_helo", ctx.clientHelo},
        {"client_hostname", ctx.clientHostname},
        {"client_port", ctx.clientPort},
        {"client_protocol", ctx.clientProtocol},
        {"sasl_method", ctx.saslMethod},
        {"sasl_username", ctx.saslUsername},
        {"sasl_sender", ctx.saslSender},
        {"queue_id", ctx.queueId},
        {"envid", ctx.envid},
    };
    const int foldOnly = flags & (kFoldUser | kFoldHost);
    std::vector<std::string> out;
    for (const std::string& arg : command) {
        auto pieces = parsePieces(arg, ctx);
        if (!pieces) return std::nullopt;
        bool perRecipient = false;
        for (const Piece& p : *pieces) {
            if (!p.macro) continue;
            auto known = macros().find(p.text);
            if (known == macros().end()) {
                ctx.warn("file " + ctx.configDirectory + "/master.cf: service " + ctx.service +
                         ": unknown macro name: \"" + p.text + "\"");
                return std::nullopt;
            }
            if (known->second != Macro::Single) perRecipient = true;
        }
        auto expandWith = [&](const ExpandRecipient* rcpt) {
            std::string result;
            for (const Piece& p : *pieces) {
                if (!p.macro) {
                    result += p.text;
                    continue;
                }
                if (auto s = single.find(p.text); s != single.end()) {
                    result += s->second;
                    continue;
                }
                const std::string& address = rcpt->address;
                Macro m = macros().find(p.text)->second;
                std::string folded = morph(address, foldOnly, ctx);
                size_t at = folded.rfind('@');
                bool hasAt = at != std::string::npos;
                if (!hasAt && m != Macro::Recipient && m != Macro::OriginalRecipient)
                    ctx.warn("no @ in recipient address: " + address);
                std::string local = hasAt ? folded.substr(0, at) : folded;
                switch (m) {
                    case Macro::Recipient:
                        result += morph(address, flags, ctx);
                        break;
                    case Macro::OriginalRecipient:
                        result += morph(rcpt->original, flags, ctx);
                        break;
                    case Macro::Mailbox:
                        result += local;
                        break;
                    case Macro::Domain:
                        result += hasAt ? folded.substr(at + 1) : "";
                        break;
                    case Macro::User:
                    case Macro::Extension: {
                        std::optional<address::LocalSplit> split;
                        if (!ctx.recipientDelimiter.empty())
                            split = address::splitLocalPart(local, ctx.recipientDelimiter);
                        if (m == Macro::User)
                            result += split ? split->local : local;
                        else
                            result += split ? split->extension : "";
                        break;
                    }
                    case Macro::Single:
                        break;
                }
            }
            return result;
        };
        if (!perRecipient) {
            out.push_back(expandWith(nullptr));
        } else {
            for (const ExpandRecipient& r : recipients) out.push_back(expandWith(&r));
        }
    }
    return out;
}

}  // namespace postline::pipe
