// MAIL FROM and RCPT TO as smtpd/smtpd.c reads them: the line length limit, the
// command tokenizer (smtpd_token.c), extract_addr() with strict_rfc821_envelopes and
// smtpd_check_addr(), and the ESMTP parameters mail_cmd() and rcpt_cmd() accept.
#include "postline/policy/smtpd_command.h"

#include <strings.h>

#include <limits>

#include "postline/address/resolve.h"
#include "postline/address/rewrite.h"
#include "postline/address/routing_context.h"
#include "postline/address/tokens.h"
#include "postline/base/strings.h"
#include "postline/maps/utf8.h"

namespace postline::policy {

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

bool startsWithNoCase(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && strncasecmp(text.data(), prefix.data(), prefix.size()) == 0;
}

bool allDigits(std::string_view text) {
    if (text.empty()) return false;
    for (char c : text)
        if (c < '0' || c > '9') return false;
    return true;
}

bool allAscii(std::string_view text) {
    for (char c : text)
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    return true;
}

// off_cvt_string(): the decimal value, or -1 when it overflows.
long sizeValue(std::string_view digits) {
    long value = 0;
    for (char c : digits) {
        if (value > (std::numeric_limits<long>::max() - (c - '0')) / 10) return -1;
        value = value * 10 + (c - '0');
    }
    return value;
}

bool isHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// xtext_unquote(): "+XX" with two hex digits; the decoded text must be printable for ENVID.
bool xtextDecode(std::string_view text, std::string* out) {
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '+') {
            if (i + 2 >= text.size() || !isHex(text[i + 1]) || !isHex(text[i + 2])) return false;
            if (out) out->push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
            i += 2;
        } else if (out) {
            out->push_back(c);
        }
    }
    return true;
}

// uxtext_unquote(): xtext plus "\x{HEX}" code points.
bool uxtextValid(std::string_view text) {
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            if (i + 2 >= text.size() || !isHex(text[i + 1]) || !isHex(text[i + 2])) return false;
            i += 2;
        } else if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == 'x') {
            if (i + 2 >= text.size() || text[i + 2] != '{') return false;
            size_t close = text.find('}', i + 3);
            if (close == std::string_view::npos || close == i + 3) return false;
            for (size_t j = i + 3; j < close; ++j)
                if (!isHex(text[j])) return false;
            i = close;
        }
    }
    return true;
}

// dsn_notify_mask(): NEVER alone, or a list of SUCCESS, FAILURE and DELAY.
bool validNotify(std::string_view value) {
    bool never = false, other = false;
    size_t pos = 0;
    while (pos < value.size()) {
        size_t end = value.find_first_of(", \t\r\n", pos);
        if (end == std::string_view::npos) end = value.size();
        std::string_view word = value.substr(pos, end - pos);
        pos = end + 1;
        if (word.empty()) continue;
        if (base::equalsIgnoreCase(word, "NEVER"))
            never = true;
        else if (base::equalsIgnoreCase(word, "SUCCESS") || base::equalsIgnoreCase(word, "FAILURE") ||
                 base::equalsIgnoreCase(word, "DELAY"))
            other = true;
        else
            return false;
    }
    return never != other;
}

SmtpdCommandResult fail(SmtpdCommandResult r, const char* stage, std::string_view argument, std::string reply,
                        const std::string& why) {
    r.ok = false;
    r.reply = std::move(reply);
    r.step = address::makeStep(stage, std::string(argument), r.reply + " (" + why + ")", address::StepStatus::Reject);
    return r;
}

// smtpd_check_addr(): the resolver must not find the address malformed, and without
// SMTPUTF8 its domain must be ASCII.
const char* addressTrouble(address::RoutingContext& context, std::string_view other, const std::string& address,
                           bool smtputf8) {
    if (address.empty()) return nullptr;
    address::RewriteSettings local = address::RewriteSettings::local(context.config());
    address::Resolution res = address::resolveAddress(context, address::rewriteAddress(other, local),
                                                      address::rewriteAddress(address, local));
    if (res.error) return "the address resolver finds it malformed";
    auto at = res.recipient.rfind('@');
    if (!smtputf8 && at != std::string::npos && !allAscii(res.recipient.substr(at + 1)))
        return "a non-ASCII domain without SMTPUTF8";
    return nullptr;
}

// extract_addr(): the address from "rubble" (comments, phrases, a source route).
// Returns the reason for "Illegal address syntax", or nullptr.
const char* extractAddress(address::RoutingContext& context, const std::string& argument, bool allowEmpty, bool strict,
                           std::string_view other, bool smtputf8, std::string& address) {
    std::string_view text = argument;
    if (!text.empty() && text.front() == '<' && text.back() == '>' && text.size() >= 2)
        text = text.substr(1, text.size() - 2);
    if (!text.empty() && text.front() == '@') {
        auto colon = text.find(':');
        if (colon != std::string_view::npos) text = text.substr(colon + 1);
    }
    address::TokenList tree = address::parseAddressList(text);
    const address::Token* addr = nullptr;
    int naddr = 0, nonAddr = 0;
    for (auto& t : tree) {
        if (t.type == address::TokenType::Address) {
            addr = &t;
            ++naddr;
        } else if (!t.isOperator('<') && !t.isOperator('>')) {
            ++nonAddr;
        }
    }
    address = addr ? address::internalize(addr->children) : std::string();
    if (naddr > 1) return "more than one address";
    if (strict && nonAddr) return "text besides the address (strict_rfc821_envelopes = yes)";
    if (strict && argument[0] != '<') return "no <> around the address (strict_rfc821_envelopes = yes)";
    if (address.empty() && !allowEmpty) return "an empty address";
    if (strict && !address.empty() && address[0] == '@') return "a source route (strict_rfc821_envelopes = yes)";
    return addressTrouble(context, other, address, smtputf8);
}

}  // namespace

std::vector<SmtpdToken> smtpdTokens(std::string_view line) {
    std::vector<SmtpdToken> out;
    size_t pos = 0;
    // smtp_quoted(): up to the closing `last`, with nested "..." and <...>.
    auto quoted = [&](SmtpdToken& tok, char start, char last) {
        std::string stack(1, last);
        tok.text.push_back(start);
        while (pos < line.size()) {
            char c = line[pos++];
            tok.text.push_back(c);
            if (c == '\\') {
                if (pos >= line.size()) break;
                tok.text.push_back(line[pos++]);
            } else if (c == stack.back()) {
                if (stack.size() == 1) return;
                stack.pop_back();
            } else if (c == '"') {
                stack.push_back('"');
            } else if (c == '<' && stack.back() == '>') {
                stack.push_back('>');
            }
        }
        tok.error = true;
    };
    while (pos < line.size()) {
        SmtpdToken tok;
        while (pos < line.size()) {
            char c = line[pos++];
            if (isSpace(c)) {
                while (pos < line.size() && isSpace(line[pos])) ++pos;
                if (!tok.text.empty()) break;
            } else if (c == '<') {
                quoted(tok, c, '>');
            } else if (c == '"') {
                quoted(tok, c, c);
            } else if (c == ':') {
                tok.text.push_back(c);
                if (base::equalsIgnoreCase(tok.text, "to:") || base::equalsIgnoreCase(tok.text, "from:")) break;
            } else {
                if (c == '\\') {
                    tok.text.push_back(c);
                    if (pos >= line.size()) break;
                    c = line[pos++];
                }
                tok.text.push_back(c);
            }
        }
        if (tok.text.empty()) break;
        out.push_back(std::move(tok));
    }
    return out;
}

std::string smtpdCommandLine(address::RoutingContext& context, std::string_view command, std::string_view argument) {
    std::string line(command);
    line += argument.substr(0, argument.find('\n'));
    if (argument.find('\n') != std::string_view::npos)
        while (!line.empty() && line.back() == '\r') line.pop_back();
    long limit = context.getLong("line_length_limit");
    if (limit > 0 && line.size() > static_cast<size_t>(limit)) line.resize(static_cast<size_t>(limit));
    return line;
}

SmtpdCommandResult smtpdMailFrom(address::RoutingContext& context, std::string_view argument) {
    SmtpdCommandResult r;
    const char* stage = "MAIL FROM";
    std::string line = smtpdCommandLine(context, "MAIL FROM:", argument);
    std::string_view shown = std::string_view(line).substr(std::min(line.size(), size_t{10}));
    bool utf8 = context.getBool("smtputf8_enable");
    if (utf8 && !maps::validUtf8(line))
        return fail(r, stage, shown, "500 5.5.2 Error: bad UTF-8 syntax", "smtputf8_enable = yes");
    auto argv = smtpdTokens(line);
    if (argv.size() < 3 || !base::equalsIgnoreCase(argv[1].text, "from:"))
        return fail(r, stage, shown, "501 5.5.4 Syntax: MAIL FROM:<address>", "no address");
    if (argv[2].error)
        return fail(r, stage, shown, "501 5.1.7 Bad sender address syntax", "<...> or \"...\" without its end");
    if (utf8)
        for (size_t i = 3; i < argv.size(); ++i)
            if (base::equalsIgnoreCase(argv[i].text, "SMTPUTF8")) r.smtputf8 = true;
    if (const char* why = extractAddress(context, argv[2].text, true, context.getBool("strict_rfc821_envelopes"), "",
                                         r.smtputf8, r.address))
        return fail(r, stage, shown, "501 5.1.7 Bad sender address syntax", why);
    bool auth = false, ret = false, envid = false;
    long size = 0;
    for (size_t i = 3; i < argv.size(); ++i) {
        const std::string& arg = argv[i].text;
        if (base::equalsIgnoreCase(arg, "BODY=8BITMIME") || base::equalsIgnoreCase(arg, "BODY=7BIT")) {
            // 8BITMIME and 7BIT are accepted (and passed on to cleanup).
        } else if (startsWithNoCase(arg, "SIZE=")) {
            if (!allDigits(std::string_view(arg).substr(5)))
                return fail(r, stage, shown, "501 5.5.4 Bad message size syntax", arg);
            size = sizeValue(std::string_view(arg).substr(5));
            if (size < 0) return fail(r, stage, shown, "552 5.3.4 Message size exceeds file system imposed limit", arg);
        } else if (utf8 && base::equalsIgnoreCase(arg, "SMTPUTF8")) {
            // Taken into account before the address.
        } else if (startsWithNoCase(arg, "AUTH=")) {
            // smtpd_sasl_mail_opt(): one AUTH= with an address; "<>" sets none.
            if (auth) return fail(r, stage, shown, "503 5.5.4 Error: multiple AUTH= options", arg);
            auth = arg.substr(5) != "<>";
        } else if (startsWithNoCase(arg, "RET=")) {
            std::string_view v = std::string_view(arg).substr(4);
            if (ret || !(base::equalsIgnoreCase(v, "FULL") || base::equalsIgnoreCase(v, "HDRS")))
                return fail(r, stage, shown, "501 5.5.4 Bad RET parameter syntax", arg);
            ret = true;
        } else if (startsWithNoCase(arg, "ENVID=")) {
            std::string decoded;
            bool printable = xtextDecode(std::string_view(arg).substr(6), &decoded);
            for (char c : decoded)
                if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) printable = false;
            if (envid || !printable) return fail(r, stage, shown, "501 5.5.4 Bad ENVID parameter syntax", arg);
            envid = true;
        } else {
            return fail(r, stage, shown, "555 5.5.4 Unsupported option: " + arg, "mail_cmd() knows no such parameter");
        }
    }
    long limit = context.getLong("message_size_limit");
    if (limit > 0 && size > limit)
        return fail(r, stage, shown, "552 5.3.4 Message size exceeds fixed limit", "message_size_limit");
    r.step = address::makeStep(stage, std::string(shown), "sender <" + r.address + ">");
    return r;
}

SmtpdCommandResult smtpdRcptTo(address::RoutingContext& context, std::string_view argument, std::string_view sender,
                               bool smtputf8) {
    SmtpdCommandResult r;
    const char* stage = "RCPT TO";
    std::string line = smtpdCommandLine(context, "RCPT TO:", argument);
    std::string_view shown = std::string_view(line).substr(std::min(line.size(), size_t{8}));
    if (context.getBool("smtputf8_enable") && !maps::validUtf8(line))
        return fail(r, stage, shown, "500 5.5.2 Error: bad UTF-8 syntax", "smtputf8_enable = yes");
    auto argv = smtpdTokens(line);
    if (argv.size() < 3 || !base::equalsIgnoreCase(argv[1].text, "to:"))
        return fail(r, stage, shown, "501 5.5.4 Syntax: RCPT TO:<address>", "no address");
    if (argv[2].error)
        return fail(r, stage, shown, "501 5.1.3 Bad recipient address syntax", "<...> or \"...\" without its end");
    if (const char* why = extractAddress(context, argv[2].text, false, context.getBool("strict_rfc821_envelopes"),
                                         sender, smtputf8, r.address))
        return fail(r, stage, shown, "501 5.1.3 Bad recipient address syntax", why);
    bool notify = false, orcpt = false;
    for (size_t i = 3; i < argv.size(); ++i) {
        const std::string& arg = argv[i].text;
        if (startsWithNoCase(arg, "NOTIFY=")) {
            if (notify || !validNotify(std::string_view(arg).substr(7)))
                return fail(r, stage, shown, "501 5.5.4 Error: Bad NOTIFY parameter syntax", arg);
            notify = true;
        } else if (startsWithNoCase(arg, "ORCPT=")) {
            std::string_view v = std::string_view(arg).substr(6);
            auto semi = v.find(';');
            bool ok = !orcpt && semi != std::string_view::npos && semi > 0;
            if (ok) {
                std::string_view type = v.substr(0, semi), coded = v.substr(semi + 1);
                ok = base::equalsIgnoreCase(type, "utf-8") ? uxtextValid(coded) : xtextDecode(coded, nullptr);
            }
            if (!ok) return fail(r, stage, shown, "501 5.5.4 Error: Bad ORCPT parameter syntax", arg);
            orcpt = true;
        } else {
            return fail(r, stage, shown, "555 5.5.4 Unsupported option: " + arg, "rcpt_cmd() knows no such parameter");
        }
    }
    r.step = address::makeStep(stage, std::string(shown), "recipient <" + r.address + ">");
    return r;
}

std::string softBounced(address::RoutingContext& context, std::string reply) {
    if (context.getBool("soft_bounce") && reply.size() > 4 && reply[0] == '5') {
        reply[0] = '4';
        if (reply[4] == '5') reply[4] = '4';
    }
    return reply;
}

std::string smtpArgumentFor(std::string_view written) {
    std::string_view text = base::trim(written);
    if (!text.empty() && text.front() == '<') return std::string(text);
    return "<" + std::string(text) + ">";
}

}  // namespace postline::policy
