// The routing test file parser (route_case.h, docs/routing-tests.md). Line-oriented
// like Postfix's tables: whole-line comments, blank lines, and lines that start with
// whitespace continue the case (or defaults block) above them.
#include "postline/simulate/route_case.h"

#include "postline/address/address_parts.h"
#include "postline/base/strings.h"

namespace postline::simulate {

const char* caseVerdictName(CaseExpectation::Verdict v) {
    switch (v) {
        case CaseExpectation::Verdict::Any:
            return "any";
        case CaseExpectation::Verdict::Deliver:
            return "deliver";
        case CaseExpectation::Verdict::Reject:
            return "reject";
        case CaseExpectation::Verdict::Bounce:
            return "bounce";
        case CaseExpectation::Verdict::Defer:
            return "defer";
    }
    return "any";
}

std::string caseAddress(std::string_view written) {
    std::string text(base::trim(written));
    if (text.size() >= 2 && text.front() == '<' && text.back() == '>') text = text.substr(1, text.size() - 2);
    return address::toInternal(text);
}

base::Result<policy::SmtpdSession> caseSession(const CaseInput& input) {
    if (input.client.empty())
        return base::Error{"helo, sasl, dns and policy need a client (client NAME[ADDR] or client ADDR)"};
    // sessionForClient takes "ADDR,NAME".
    std::string spec = input.client;
    auto open = spec.find('[');
    if (open != std::string::npos) {
        if (spec.back() != ']' || open == 0)
            return base::Error{"bad client \"" + input.client + "\" (expected NAME[ADDR] or ADDR)"};
        spec = spec.substr(open + 1, spec.size() - open - 2) + "," + spec.substr(0, open);
    }
    auto session = policy::sessionForClient(spec);
    if (!session) return session;
    if (!input.helo.empty()) session->helo = input.helo;
    session->saslUsername = input.sasl;
    for (auto& d : input.dns)
        if (auto st = policy::addDnsAnswer(session->offline, d); !st) return st.error();
    for (auto& p : input.policy)
        if (auto st = policy::addPolicyAnswer(session->offline, p); !st) return st.error();
    return session;
}

std::vector<std::string> addressLines(std::string_view text) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = base::trim(text.substr(pos, end - pos));
        pos = end + 1;
        if (line.empty() || line.front() == '#') continue;
        out.push_back(caseAddress(line));
    }
    return out;
}

namespace {

using Verdict = CaseExpectation::Verdict;

struct Parser {
    const std::string& file;
    int line = 0;
    base::Error error;

    bool fail(const std::string& text) {
        error.message = file + ":" + std::to_string(line) + ": " + text;
        return false;
    }
};

// Splits "KEYWORD REST" at the first run of whitespace.
std::pair<std::string, std::string> splitKeyword(std::string_view text) {
    text = base::trim(text);
    size_t i = 0;
    while (i < text.size() && !base::isSpace(text[i])) ++i;
    return {std::string(text.substr(0, i)), std::string(base::trim(text.substr(i)))};
}

// A list of addresses separated by commas or whitespace; double quotes keep a quoted
// local part ("a b"@example.org) together.
std::vector<std::string> splitAddressList(std::string_view text) {
    std::vector<std::string> out;
    std::string cur;
    bool quoted = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '\\' && quoted && i + 1 < text.size()) {
            cur += c;
            cur += text[++i];
            continue;
        }
        if (c == '"') quoted = !quoted;
        if (!quoted && (c == ',' || base::isSpace(c))) {
            if (!cur.empty()) out.push_back(caseAddress(cur));
            cur.clear();
            continue;
        }
        cur += c;
    }
    if (!cur.empty()) out.push_back(caseAddress(cur));
    return out;
}

// "relay:[mail.example.org]" -> transport "relay", nexthop "[mail.example.org]".
CaseExpectation::Route parseRoute(std::string recipient, std::string_view spec) {
    CaseExpectation::Route r;
    r.recipient = std::move(recipient);
    auto colon = spec.find(':');
    if (colon == std::string_view::npos) {
        r.transport = std::string(spec);
    } else {
        r.transport = std::string(spec.substr(0, colon));
        r.nexthop = std::string(spec.substr(colon + 1));
    }
    return r;
}

// Final recipients always have a domain (cleanup appends one), so a listed item
// without '@' is a mistake, most often a route written without "via".
bool checkRecipients(Parser& p, const std::vector<std::string>& list) {
    for (auto& r : list) {
        if (r == "via") return p.fail("expected \"via TRANSPORT[:NEXTHOP]\" at the end");
        if (r.find('@') == std::string::npos)
            return p.fail("\"" + r + "\" is not an address (a route is written \"via TRANSPORT[:NEXTHOP]\")");
    }
    return true;
}

bool setVerdict(Parser& p, CaseExpectation& e, Verdict v, const std::string& reason) {
    if (e.verdict != Verdict::Any && e.verdict != v)
        return p.fail(std::string("conflicting results: ") + caseVerdictName(e.verdict) + " and " + caseVerdictName(v));
    e.verdict = v;
    e.reasonPrefix = reason;
    return true;
}

bool isInputKeyword(const std::string& k) {
    return k == "sender" || k == "client" || k == "helo" || k == "sasl" || k == "dns" || k == "policy";
}

bool applyInput(Parser& p, CaseInput& in, const std::string& keyword, const std::string& value) {
    if (value.empty()) return p.fail("\"" + keyword + "\" needs a value");
    if (keyword == "sender")
        in.sender = value == "<>" ? std::string() : caseAddress(value);
    else if (keyword == "client")
        in.client = value;
    else if (keyword == "helo")
        in.helo = value;
    else if (keyword == "dns" || keyword == "policy") {
        // Checked here, so that a mistake names its own line.
        policy::OfflineNetworkFacts scratch;
        auto st = keyword == "dns" ? policy::addDnsAnswer(scratch, value) : policy::addPolicyAnswer(scratch, value);
        if (!st) return p.fail(st.error().message);
        (keyword == "dns" ? in.dns : in.policy).push_back(value);
    } else
        in.sasl = value;
    return true;
}

// One expectation: "KEYWORD VALUE" (a continuation line, or the text after "->").
bool applyExpectation(Parser& p, CaseExpectation& e, const std::string& keyword, const std::string& value) {
    if (keyword == "deliver") {
        if (!value.empty()) return p.fail("\"deliver\" takes no value (list recipients with \"recipients\")");
        return setVerdict(p, e, Verdict::Deliver, "");
    }
    if (keyword == "reject") return setVerdict(p, e, Verdict::Reject, value);
    if (keyword == "bounce") return setVerdict(p, e, Verdict::Bounce, value);
    if (keyword == "defer") return setVerdict(p, e, Verdict::Defer, value);
    if (value.empty()) return p.fail("\"" + keyword + "\" needs a value");
    if (keyword == "recipients") {
        if (e.recipients) return p.fail("recipients given twice");
        e.recipients = splitAddressList(value);
        return checkRecipients(p, *e.recipients);
    }
    if (keyword == "recipient") {
        // recipient ADDRESS [via TRANSPORT[:NEXTHOP]]
        auto [addr, rest] = splitKeyword(value);
        auto [via, spec] = splitKeyword(rest);
        if (!rest.empty() && (via != "via" || spec.empty() || spec.find_first_of(" \t") != std::string::npos))
            return p.fail("expected \"recipient ADDRESS [via TRANSPORT[:NEXTHOP]]\"");
        CaseExpectation::Route r;
        if (!spec.empty()) r = parseRoute("", spec);
        r.recipient = caseAddress(addr);
        e.routes.push_back(std::move(r));
        return true;
    }
    if (keyword == "via") {
        if (value.find_first_of(" \t") != std::string::npos) return p.fail("expected \"via TRANSPORT[:NEXTHOP]\"");
        e.routes.push_back(parseRoute("", value));
        return true;
    }
    if (keyword == "transport") {
        CaseExpectation::Route r;
        r.transport = value;
        e.routes.push_back(std::move(r));
        return true;
    }
    if (keyword == "nexthop") {
        CaseExpectation::Route r;
        r.nexthop = value;
        e.routes.push_back(std::move(r));
        return true;
    }
    if (keyword == "mailbox" || keyword == "maildir" || keyword == "file" || keyword == "command" ||
        keyword == "forward") {
        e.local.push_back({keyword, keyword == "forward" ? caseAddress(value) : value});
        return true;
    }
    return p.fail("unknown keyword \"" + keyword + "\"");
}

// The text after "->": a keyword expectation, or "[deliver] ADDRESS, ... [via T[:N]]".
bool applyArrow(Parser& p, CaseExpectation& e, std::string_view text) {
    auto [keyword, value] = splitKeyword(text);
    if (keyword.empty()) return p.fail("nothing after \"->\"");
    if (isInputKeyword(keyword))
        return p.fail("\"" + keyword + "\" is an input: give it on an indented line under the case");
    static const char* const kExpectKeywords[] = {"deliver",   "reject", "bounce",    "defer",   "recipients",
                                                  "recipient", "via",    "transport", "nexthop", "mailbox",
                                                  "maildir",   "file",   "command",   "forward"};
    bool isKeyword = false;
    for (auto* k : kExpectKeywords) isKeyword |= keyword == k;
    if (isKeyword && !(keyword == "deliver" && !value.empty())) return applyExpectation(p, e, keyword, value);
    std::string_view list = text;
    if (keyword == "deliver") {
        if (!setVerdict(p, e, Verdict::Deliver, "")) return false;
        list = value;
    }
    // An optional trailing "via SPEC" applies to every listed recipient.
    std::string listText(base::trim(list));
    std::string via;
    auto pos = listText.rfind(" via ");
    if (pos != std::string::npos) {
        via = std::string(base::trim(std::string_view(listText).substr(pos + 5)));
        listText.resize(pos);
        if (via.empty() || via.find_first_of(" \t") != std::string::npos)
            return p.fail("expected \"via TRANSPORT[:NEXTHOP]\" at the end");
    }
    auto recipients = splitAddressList(listText);
    if (recipients.empty()) return p.fail("no recipients before \"via\"");
    if (!checkRecipients(p, recipients)) return false;
    e.recipients = std::move(recipients);
    if (!via.empty()) e.routes.push_back(parseRoute("", via));
    return true;
}

bool hasExpectation(const CaseExpectation& e) {
    return e.verdict != Verdict::Any || e.recipients || !e.routes.empty() || !e.local.empty();
}

}  // namespace

base::Result<std::vector<RouteCase>> parseRouteCases(std::string_view text, const std::string& file) {
    Parser p{file, 0, {}};
    std::vector<RouteCase> cases;
    CaseInput defaults;
    enum class Block { None, Defaults, Case } block = Block::None;
    auto bad = [&](const std::string& message) {
        p.fail(message);
        return p.error;
    };
    auto finishCase = [&]() {
        if (block != Block::Case) return true;
        auto& c = cases.back();
        if (!hasExpectation(c.expect)) {
            p.line = c.line;
            return p.fail("case " + c.written + " has no expectation (add \"-> ...\" or indented lines)");
        }
        if (c.input.hasSessionFields()) {
            if (auto session = caseSession(c.input); !session) {
                p.line = c.line;
                return p.fail("case " + c.written + ": " + session.error().message);
            }
        }
        return true;
    };
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view raw = text.substr(pos, end - pos);
        pos = end + 1;
        ++p.line;
        if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
        std::string_view trimmed = base::trim(raw);
        if (trimmed.empty() || trimmed.front() == '#') continue;
        if (base::isSpace(raw.front())) {
            auto [keyword, value] = splitKeyword(trimmed);
            if (block == Block::None) return bad("indented line without a case above it");
            if (block == Block::Defaults) {
                if (!isInputKeyword(keyword))
                    return bad("\"" + keyword +
                               "\" cannot be a default (only sender, client, helo, sasl, dns, policy)");
                if (!applyInput(p, defaults, keyword, value)) return p.error;
                continue;
            }
            auto& c = cases.back();
            bool ok = isInputKeyword(keyword) ? applyInput(p, c.input, keyword, value)
                                              : applyExpectation(p, c.expect, keyword, value);
            if (!ok) return p.error;
            continue;
        }
        int thisLine = p.line;
        if (!finishCase()) return p.error;
        p.line = thisLine;
        if (trimmed == "defaults") {
            block = Block::Defaults;
            defaults = CaseInput{};
            continue;
        }
        RouteCase c;
        c.file = file;
        c.line = p.line;
        c.input = defaults;
        auto arrow = trimmed.find("->");
        std::string_view written = base::trim(trimmed.substr(0, arrow));
        if (written.empty()) return bad("missing address before \"->\"");
        if (written.find_first_of(" \t") != std::string_view::npos && written.front() != '"' &&
            written.find('"') == std::string_view::npos)
            return bad("expected \"ADDRESS -> EXPECTATION\", got \"" + std::string(trimmed) + "\"");
        c.written = std::string(written);
        c.address = caseAddress(written);
        if (arrow != std::string_view::npos && !applyArrow(p, c.expect, trimmed.substr(arrow + 2))) return p.error;
        cases.push_back(std::move(c));
        block = Block::Case;
    }
    if (!finishCase()) return p.error;
    return cases;
}

}  // namespace postline::simulate
