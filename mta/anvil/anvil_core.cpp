// anvil(8)'s counters (anvil/anvil.c).
#include "anvil_core.h"

#include <climits>
#include <cstring>

#include "postline/base/strings.h"

namespace postline::anvil {

namespace {

std::string when(time_t t) {
    char buffer[32];
    ::ctime_r(&t, buffer);
    return std::string(buffer + 4, 15);  // "Dec  7 00:16:46"
}

const std::string* value(const queue::attr::Attributes& group, std::string_view name) {
    for (const auto& [n, v] : group)
        if (n == name) return &v;
    return nullptr;
}

void appendInt(std::string& out, std::string_view name, int value) {
    // Negative numbers go as C's "%d" would print them.
    queue::attr::plain::append(out, name, std::to_string(value));
}

}  // namespace

const AnvilCore::Remote* AnvilCore::find(const std::string& ident) const {
    auto it = remotes_.find(ident);
    return it == remotes_.end() ? nullptr : &it->second;
}

void AnvilCore::peak(Peak& p, int value, const std::string& ident, time_t now) {
    if (value <= p.value) return;
    p.value = value;
    p.ident = ident;
    p.when = now;
}

void AnvilCore::bump(Remote& remote, int Remote::*what, time_t now) {
    if (remote.start + unit_ < now) {  // ANVIL_REMOTE_RSET_RATE: a new window
        remote.rate = remote.mail = remote.rcpt = remote.ntls = remote.auth = 0;
        remote.start = now;
    }
    if (remote.*what < INT_MAX) remote.*what += 1;
}

AnvilCore::Remote& AnvilCore::connectIdent(int client, const std::string& ident, time_t now) {
    auto [it, fresh] = remotes_.try_emplace(ident);
    Remote& r = it->second;
    if (fresh) {
        r.count = 1;
        r.rate = 1;
        r.start = now;
    } else {
        bump(r, &Remote::rate, now);
        r.count++;
    }
    clients_[client].insert(ident);
    if (remotes_.size() > maxCache_) {
        maxCache_ = remotes_.size();
        maxCacheWhen_ = now;
    }
    return r;
}

// "Be prepared for postfix reload after connect": a rate request for an identity
// anvil does not know counts as its connection.
AnvilCore::Remote& AnvilCore::remoteFor(int client, const std::string& ident, time_t now) {
    auto it = remotes_.find(ident);
    if (it != remotes_.end()) return it->second;
    return connectIdent(client, ident, now);
}

std::string AnvilCore::handle(int client, const queue::attr::Attributes& request, time_t now) {
    std::string out;
    const std::string* what = value(request, "request");
    const std::string* ident = value(request, "ident");
    if (!what || (!ident && *what != "lookup")) {
        appendInt(out, "status", -1);
        queue::attr::plain::appendEnd(out);
        return out;
    }
    std::string id = ident ? *ident : std::string();
    auto rateReply = [&](int Remote::*field, Peak& p) {
        Remote& r = remoteFor(client, id, now);
        bump(r, field, now);
        appendInt(out, "status", 0);
        appendInt(out, "rate", r.*field);
        peak(p, r.*field, id, now);
    };
    if (*what == "connect") {
        Remote& r = connectIdent(client, id, now);
        appendInt(out, "status", 0);
        appendInt(out, "count", r.count);
        appendInt(out, "rate", r.rate);
        peak(connRate_, r.rate, id, now);
        peak(connCount_, r.count, id, now);
    } else if (*what == "disconnect") {
        auto c = clients_.find(client);
        if (c != clients_.end()) {
            auto one = c->second.find(id);
            if (one != c->second.end()) {
                c->second.erase(one);
                auto it = remotes_.find(id);
                if (it != remotes_.end() && it->second.count > 0 && --it->second.count == 0) it->second.idleSince = now;
            }
        }
        appendInt(out, "status", 0);
    } else if (*what == "message") {
        rateReply(&Remote::mail, mailRate_);
    } else if (*what == "recipient") {
        rateReply(&Remote::rcpt, rcptRate_);
    } else if (*what == "newtls") {
        rateReply(&Remote::ntls, ntlsRate_);
    } else if (*what == "auth") {
        rateReply(&Remote::auth, authRate_);
    } else if (*what == "newtls_status") {
        // The rate without counting one more.
        Remote& r = remoteFor(client, id, now);
        if (r.start + unit_ < now) r.ntls = 0;
        appendInt(out, "status", 0);
        appendInt(out, "rate", r.ntls);
    } else if (*what == "lookup") {
        const Remote* r = find(id);
        Remote none;
        const Remote& v = r ? *r : none;
        appendInt(out, "status", 0);
        appendInt(out, "count", v.count);
        appendInt(out, "rate", v.rate);
        appendInt(out, "mail", v.mail);
        appendInt(out, "rcpt", v.rcpt);
        appendInt(out, "newtls", v.ntls);
        appendInt(out, "auth", v.auth);
        appendInt(out, "tlstr", 0);
    } else {
        appendInt(out, "status", -1);
    }
    queue::attr::plain::appendEnd(out);
    return out;
}

void AnvilCore::clientGone(int client, time_t now) {
    auto c = clients_.find(client);
    if (c == clients_.end()) return;
    for (const std::string& id : c->second) {
        auto it = remotes_.find(id);
        if (it != remotes_.end() && it->second.count > 0 && --it->second.count == 0) it->second.idleSince = now;
    }
    clients_.erase(c);
}

void AnvilCore::expire(time_t now) {
    for (auto it = remotes_.begin(); it != remotes_.end();) {
        if (it->second.count == 0 && it->second.idleSince + unit_ <= now)
            it = remotes_.erase(it);
        else
            ++it;
    }
}

std::vector<std::string> AnvilCore::report(time_t) {
    std::vector<std::string> lines;
    auto rate = [&](Peak& p, const char* name) {
        if (p.value > 0)
            lines.push_back(base::cat("statistics: max ", name, " rate ", p.value, "/", unit_, "s for (", p.ident,
                                      ") at ", when(p.when)));
        p.value = 0;
    };
    rate(connRate_, "connection");
    if (connCount_.value > 0)
        lines.push_back(base::cat("statistics: max connection count ", connCount_.value, " for (", connCount_.ident,
                                  ") at ", when(connCount_.when)));
    connCount_.value = 0;
    rate(mailRate_, "message");
    rate(rcptRate_, "recipient");
    rate(ntlsRate_, "newtls");
    rate(authRate_, "auth");
    if (maxCache_ > 0)
        lines.push_back(base::cat("statistics: max cache size ", maxCache_, " at ", when(maxCacheWhen_)));
    maxCache_ = 0;
    return lines;
}

}  // namespace postline::anvil
