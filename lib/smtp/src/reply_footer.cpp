// smtpd_reject_footer as global/smtp_reply_footer.c appends it, with the macros of
// smtpd/smtpd_expand.c.
#include "postline/smtp/reply_footer.h"

#include <ctime>
#include <vector>

#include "postline/base/strings.h"
#include "postline/config/expand.h"
#include "postline/policy/smtpd_reply.h"

namespace postline::smtp {

std::string unescapeFilter(std::string_view text) { return base::unescapeC(text); }

namespace {

// smtpd_expand_addr(): "sender", "sender_name", "sender_domain" and the recipient's.
std::optional<std::string> addressMacro(const std::optional<std::string>& addr, std::string_view suffix) {
    if (!addr) return std::string();
    if (suffix.empty()) return addr->empty() ? "<>" : *addr;
    size_t at = addr->rfind('@');
    if (suffix == "_name") {
        if (addr->empty()) return std::string("<>");
        return at == std::string::npos ? *addr : addr->substr(0, at);
    }
    if (suffix == "_domain") return addr->empty() || at == std::string::npos ? "" : addr->substr(at + 1);
    return std::nullopt;
}

}  // namespace

std::string applyReplyFooter(const std::string& reply, std::string_view footer, const FooterMacros& m,
                             std::string_view filter, const std::function<void(std::string_view)>& warn) {
    if (footer.empty()) return reply;
    // The last line's code, and whether the reply ended with "\r\n".
    size_t lastLine = 0, pos = 0;
    bool crlfAtEnd = false;
    std::string text = reply;
    while (true) {
        if (text.size() < pos + 4 || !base::isDigit(text[pos]) || !base::isDigit(text[pos + 1]) ||
            !base::isDigit(text[pos + 2]) || (text[pos + 3] != ' ' && text[pos + 3] != '-'))
            return reply;
        lastLine = pos;
        size_t next = text.find("\r\n", pos);
        if (next == std::string::npos) break;
        if (next + 2 == text.size()) {
            crlfAtEnd = true;
            text.resize(next);
            break;
        }
        pos = next + 2;
    }
    std::string code = text.substr(lastLine, 3);
    size_t dsnLength = policy::dsnValid(std::string_view(text).substr(lastLine + 4));
    std::string dsn = text.substr(lastLine + 4, dsnLength);

    auto lookup = [&](std::string_view name) -> std::optional<std::string> {
        std::optional<std::string> v;
        if (name == "server_name")
            v = m.serverName;
        else if (name == "client")
            v = m.namaddr;
        else if (name == "client_port")
            v = m.clientPort;
        else if (name == "client_address")
            v = m.clientAddress;
        else if (name == "client_name")
            v = m.clientName;
        else if (name == "reverse_client_name")
            v = m.reverseName;
        else if (name == "helo_name")
            v = m.helo;
        else if (name.substr(0, 6) == "sender")
            v = addressMacro(m.sender, name.substr(6));
        else if (name.substr(0, 9) == "recipient")
            v = addressMacro(m.recipient, name.substr(9));
        else if (name == "localtime") {
            time_t t = static_cast<time_t>(m.now);
            struct tm lt {};
            localtime_r(&t, &lt);
            char buf[64];
            v = std::string(buf, strftime(buf, sizeof buf, "%b %d %H:%M:%S", &lt));
        }
        if (!v) {
            warn("unknown macro name \"" + std::string(name) + "\" in expansion request");
            return std::nullopt;
        }
        for (char& c : *v)
            if (filter.find(c) == std::string_view::npos) c = '_';
        return v;
    };

    std::string out = text;
    bool added = false;
    std::string_view rest = footer;
    bool first = true;
    while (true) {
        size_t next = rest.find("\\n");
        std::string_view part = rest.substr(0, next);
        if (first && part.substr(0, 2) == "\\c") {
            part.remove_prefix(2);
        } else {
            out += "\r\n" + code + (next != std::string_view::npos ? "-" : " ");
            if (dsnLength > 0) out += dsn + " ";
            added = true;
        }
        first = false;
        auto expanded = config::macroExpand(part, 0, lookup);
        if (expanded.error) return reply;
        out += expanded.text;
        if (next == std::string_view::npos) break;
        rest = rest.substr(next + 2);
    }
    if (added) out[lastLine + 3] = '-';
    if (crlfAtEnd) out += "\r\n";
    return out;
}

}  // namespace postline::smtp
