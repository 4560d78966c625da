// scache(8)'s cache and protocol state machine without sockets: time limits, expiry
// closing connections, search order, destination bindings, every request, malformed
// input, and descriptors where none belongs. Descriptors are pipe ends; a cached one is
// known to be closed when the pipe's read end sees end of file.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "postline/base/msg.h"
#include "scache_core.h"

namespace postline::scache {
namespace {

namespace attr = queue::attr;

// A pipe whose write end goes into the cache; readEnd tells whether it was closed.
struct Pipe {
    int readEnd = -1;
    int writeEnd = -1;
    Pipe() {
        int fds[2];
        EXPECT_EQ(::pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
        readEnd = fds[0];
        writeEnd = fds[1];
    }
    ~Pipe() { ::close(readEnd); }
    OwnedFd give() { return OwnedFd(writeEnd); }
    // True once every write end is closed (read() sees end of file).
    bool closed() const {
        char c;
        return ::read(readEnd, &c, 1) == 0;
    }
    // True when `fd` is a write end of this pipe (what comes out of the cache is ours).
    bool isMine(int fd) const {
        if (::write(fd, "x", 1) != 1) return false;
        char c = 0;
        return ::read(readEnd, &c, 1) == 1 && c == 'x';
    }
};

std::string request(const attr::Attributes& attributes) {
    std::string out;
    for (const auto& [name, value] : attributes) attr::append(out, name, value);
    attr::appendEnd(out);
    return out;
}

attr::Attributes parse(const std::string& bytes) {
    attr::GroupScanner scanner;
    auto used = scanner.feed(bytes);
    EXPECT_TRUE(used && scanner.complete() && *used == bytes.size()) << "not one group: " << bytes.size();
    return scanner.attributes();
}

class Warnings : public ::testing::Test {
protected:
    void SetUp() override {
        base::setMsgSink([this](base::Severity severity, std::string_view text) {
            if (severity == base::Severity::Warning) warnings.emplace_back(text);
        });
    }
    void TearDown() override { base::setMsgSink(nullptr); }
    bool warned(std::string_view text) const {
        for (const std::string& w : warnings)
            if (w.find(text) != std::string::npos) return true;
        return false;
    }
    std::vector<std::string> warnings;
};

// ---- the cache ----

TEST(ConnectionCache, AConnectionExpiresAtItsTimeLimitAndIsClosed) {
    ConnectionCache cache;
    Pipe p;
    cache.saveEndpoint(1000, 2, "192.0.2.1:25", "prop", p.give());
    EXPECT_EQ(cache.size().connections, 1);
    cache.expire(1001);
    EXPECT_FALSE(p.closed());
    EXPECT_EQ(cache.size().endpoints, 1);
    cache.expire(1002);
    EXPECT_TRUE(p.closed());
    EXPECT_EQ(cache.size().connections, 0);
    EXPECT_EQ(cache.size().endpoints, 0);
    std::string prop;
    EXPECT_FALSE(cache.findEndpoint(1002, "192.0.2.1:25", prop).valid());
}

TEST(ConnectionCache, AFindAfterTheTimeLimitMissesEvenBeforeAnExpiryRun) {
    ConnectionCache cache;
    Pipe p;
    cache.saveEndpoint(1000, 2, "e", "prop", p.give());
    std::string prop;
    EXPECT_FALSE(cache.findEndpoint(1002, "e", prop).valid());
    EXPECT_TRUE(p.closed());
}

TEST(ConnectionCache, FindTakesTheOldestConnectionOutOfTheCache) {
    ConnectionCache cache;
    Pipe a, b;
    cache.saveEndpoint(1000, 5, "e", "first", a.give());
    cache.saveEndpoint(1001, 5, "e", "second", b.give());
    std::string prop;
    OwnedFd got = cache.findEndpoint(1001, "e", prop);
    ASSERT_TRUE(got.valid());
    EXPECT_EQ(prop, "first");
    EXPECT_TRUE(a.isMine(got.get()));
    EXPECT_EQ(cache.size().connections, 1);
    got.reset();
    EXPECT_TRUE(a.closed());
    EXPECT_FALSE(b.closed());  // still cached
    OwnedFd next = cache.findEndpoint(1001, "e", prop);
    EXPECT_EQ(prop, "second");
    EXPECT_TRUE(b.isMine(next.get()));
    EXPECT_FALSE(cache.findEndpoint(1001, "e", prop).valid());
    EXPECT_EQ(cache.size().endpoints, 0);
}

TEST(ConnectionCache, AnOlderConnectionWithALongerLimitOutlivesANewerOne) {
    ConnectionCache cache;
    Pipe a, b;
    cache.saveEndpoint(1000, 10, "e", "long", a.give());
    cache.saveEndpoint(1001, 1, "e", "short", b.give());
    cache.expire(1002);
    EXPECT_TRUE(b.closed());
    EXPECT_FALSE(a.closed());
    EXPECT_EQ(cache.size().connections, 1);
}

TEST(ConnectionCache, FindDestinationWalksItsBindingsOldestFirstAndKeepsThem) {
    ConnectionCache cache;
    Pipe p2, p3;
    cache.saveDestination(1000, 10, "example.com", "dprop1", "192.0.2.1:25");  // nothing cached there
    cache.saveDestination(1000, 10, "example.com", "dprop2", "192.0.2.2:25");
    cache.saveDestination(1000, 10, "example.com", "dprop3", "192.0.2.3:25");
    cache.saveEndpoint(1000, 10, "192.0.2.3:25", "eprop3", p3.give());
    cache.saveEndpoint(1000, 10, "192.0.2.2:25", "eprop2", p2.give());
    std::string dprop, eprop;
    OwnedFd got = cache.findDestination(1001, "example.com", dprop, eprop);
    ASSERT_TRUE(got.valid());
    EXPECT_EQ(dprop, "dprop2");
    EXPECT_EQ(eprop, "eprop2");
    EXPECT_TRUE(p2.isMine(got.get()));
    got = cache.findDestination(1001, "example.com", dprop, eprop);
    ASSERT_TRUE(got.valid());
    EXPECT_EQ(dprop, "dprop3");
    EXPECT_EQ(eprop, "eprop3");
    EXPECT_TRUE(p3.isMine(got.get()));
    EXPECT_FALSE(cache.findDestination(1001, "example.com", dprop, eprop).valid());
    EXPECT_EQ(cache.size().destinations, 1);  // the bindings stay until their limit
    // A connection saved again under a bound endpoint is found through the destination.
    Pipe again;
    cache.saveEndpoint(1002, 10, "192.0.2.1:25", "eprop1", again.give());
    got = cache.findDestination(1002, "example.com", dprop, eprop);
    ASSERT_TRUE(got.valid());
    EXPECT_EQ(dprop, "dprop1");
    EXPECT_FALSE(cache.findDestination(1002, "nowhere.example", dprop, eprop).valid());
}

TEST(ConnectionCache, SavingABindingAgainRefreshesItsTimeLimitInItsPlace) {
    ConnectionCache cache;
    cache.saveDestination(1000, 2, "example.com", "p1", "e1");
    cache.saveDestination(1000, 5, "example.com", "p2", "e2");
    cache.saveDestination(1000, 2, "example.com", "p3", "e3");
    cache.saveDestination(1001, 2, "example.com", "p1", "e1");     // same pair: refreshed, not added
    cache.saveDestination(1001, 2, "example.com", "other", "e3");  // another property: a new binding
    cache.expire(1002);                                            // e3/p3 goes, e1/p1 stays
    Pipe p1, p2, p3;
    cache.saveEndpoint(1002, 5, "e2", "eprop2", p2.give());
    cache.saveEndpoint(1002, 5, "e1", "eprop1", p1.give());
    cache.saveEndpoint(1002, 5, "e3", "eprop3", p3.give());
    std::string dprop, eprop;
    OwnedFd got = cache.findDestination(1002, "example.com", dprop, eprop);
    ASSERT_TRUE(got.valid());
    EXPECT_EQ(dprop, "p1");  // still first, before e2's binding
    EXPECT_EQ(eprop, "eprop1");
    got = cache.findDestination(1002, "example.com", dprop, eprop);
    EXPECT_EQ(dprop, "p2");
    got = cache.findDestination(1002, "example.com", dprop, eprop);
    EXPECT_EQ(dprop, "other");
    cache.expire(1003);
    EXPECT_EQ(cache.size().destinations, 1);  // e2's binding, until 1005
    cache.expire(1005);
    EXPECT_EQ(cache.size().destinations, 0);
}

TEST(ConnectionCache, DestroyingTheCacheClosesEveryConnection) {
    Pipe a, b;
    {
        ConnectionCache cache;
        cache.saveEndpoint(1000, 5, "e1", "p", a.give());
        cache.saveEndpoint(1000, 5, "e2", "p", b.give());
    }
    EXPECT_TRUE(a.closed());
    EXPECT_TRUE(b.closed());
}

// ---- the protocol ----

class Session : public Warnings {
protected:
    CacheService service{2, 1000};
    ClientSession session{service};
    std::vector<Outgoing> out;

    // Feeds a request and returns the one group of bytes the server answers.
    attr::Attributes ask(const attr::Attributes& req, time_t now = 1000) {
        out.clear();
        EXPECT_TRUE(session.receive(request(req), OwnedFd(), now, out));
        EXPECT_EQ(out.size(), 1u);
        if (out.size() != 1) return {};
        EXPECT_FALSE(out[0].fd.valid());
        return parse(out[0].bytes);
    }
    // save_endp all the way: request, {dummy}, descriptor, {status}.
    attr::Attributes saveEndp(const std::string& ttl, const std::string& label, const std::string& prop, Pipe& p,
                              time_t now = 1000) {
        auto first = ask({{"request", "save_endp"}, {"ttl", ttl}, {"label", label}, {"property", prop}}, now);
        EXPECT_EQ(first, (attr::Attributes{{"dummy", ""}}));
        out.clear();
        EXPECT_TRUE(session.receive(std::string(1, '\0'), p.give(), now, out));
        EXPECT_EQ(out.size(), 1u);
        return out.empty() ? attr::Attributes{} : parse(out[0].bytes);
    }
};

TEST_F(Session, HelloAnnouncesTheProtocol) {
    EXPECT_EQ(parse(ClientSession::hello()), (attr::Attributes{{"protocol", "connection_cache_protocol"}}));
}

TEST_F(Session, SaveEndpThenFindEndpHandsTheDescriptorOver) {
    Pipe p;
    EXPECT_EQ(saveEndp("2", "192.0.2.1:25", "eprop", p), (attr::Attributes{{"status", "0"}}));
    EXPECT_EQ(service.cache().size().connections, 1);
    EXPECT_FALSE(session.busy());

    auto found = ask({{"request", "find_endp"}, {"label", "192.0.2.1:25"}});
    EXPECT_EQ(found, (attr::Attributes{{"status", "0"}, {"property", "eprop"}}));
    EXPECT_TRUE(session.busy());
    EXPECT_EQ(service.cache().size().connections, 0);
    // The descriptor goes only after the client's {dummy}.
    out.clear();
    ASSERT_TRUE(session.receive(request({{"dummy", ""}}), OwnedFd(), 1000, out));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_TRUE(out[0].bytes.empty());
    ASSERT_TRUE(out[0].fd.valid());
    EXPECT_TRUE(p.isMine(out[0].fd.get()));
    EXPECT_TRUE(session.busy());  // the {dummy} after the descriptor is still to come
    out.clear();
    ASSERT_TRUE(session.receive(request({{"dummy", ""}}), OwnedFd(), 1000, out));
    EXPECT_TRUE(out.empty());
    EXPECT_FALSE(session.busy());
    EXPECT_TRUE(warnings.empty());
}

TEST_F(Session, FindEndpMissAndItsStatistics) {
    EXPECT_EQ(ask({{"request", "find_endp"}, {"label", "nowhere"}}),
              (attr::Attributes{{"status", "2"}, {"property", ""}}));
    EXPECT_FALSE(session.busy());
    auto lines = service.report(1010);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].rfind("statistics: start interval ", 0), 0u);
    EXPECT_EQ(lines[1], "statistics: address lookup hits=0 miss=1 success=0%");
}

TEST_F(Session, TheTtlIsLimitedToConnectionCacheTtlLimit) {
    Pipe p;
    EXPECT_EQ(saveEndp("3600", "e", "prop", p), (attr::Attributes{{"status", "0"}}));
    service.cache().expire(1001);
    EXPECT_FALSE(p.closed());
    service.cache().expire(1002);  // 1000 + the limit of 2s
    EXPECT_TRUE(p.closed());
}

TEST_F(Session, SaveDestAndFindDest) {
    EXPECT_EQ(ask({{"request", "save_dest"},
                   {"ttl", "2"},
                   {"label", "example.com"},
                   {"property", "dprop"},
                   {"label", "192.0.2.1:25"}}),
              (attr::Attributes{{"status", "0"}}));
    EXPECT_EQ(ask({{"request", "find_dest"}, {"label", "example.com"}}),
              (attr::Attributes{{"status", "2"}, {"property", ""}, {"property", ""}}));
    Pipe p;
    saveEndp("2", "192.0.2.1:25", "eprop", p);
    EXPECT_EQ(ask({{"request", "find_dest"}, {"label", "example.com"}}),
              (attr::Attributes{{"status", "0"}, {"property", "dprop"}, {"property", "eprop"}}));
    out.clear();
    ASSERT_TRUE(session.receive(request({{"dummy", ""}}), OwnedFd(), 1000, out));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_TRUE(p.isMine(out[0].fd.get()));
    out.clear();
    ASSERT_TRUE(session.receive(request({{"dummy", ""}}), OwnedFd(), 1000, out));
    EXPECT_FALSE(session.busy());

    auto lines = service.report(1010);
    // find_dest counts as a domain lookup only.
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[1], "statistics: domain lookup hits=1 miss=1 success=50%");
    EXPECT_EQ(lines[2], "statistics: max simultaneous domains=1 addresses=1 connection=1");
    EXPECT_TRUE(service.report(1020).empty());  // the counters start again
}

TEST_F(Session, MalformedRequestsAreAnsweredBad) {
    // ttl missing, zero, negative, not a number; an extra attribute; attributes out of order.
    EXPECT_EQ(ask({{"request", "save_endp"}, {"label", "e"}, {"property", "p"}}), (attr::Attributes{{"status", "1"}}));
    EXPECT_EQ(ask({{"request", "save_endp"}, {"ttl", "0"}, {"label", "e"}, {"property", "p"}}),
              (attr::Attributes{{"status", "1"}}));
    EXPECT_EQ(ask({{"request", "save_endp"}, {"ttl", "-5"}, {"label", "e"}, {"property", "p"}}),
              (attr::Attributes{{"status", "1"}}));
    EXPECT_EQ(ask({{"request", "save_dest"}, {"ttl", "2x"}, {"label", "d"}, {"property", "p"}, {"label", "e"}}),
              (attr::Attributes{{"status", "1"}}));
    EXPECT_EQ(
        ask({{"request", "save_dest"}, {"ttl", "99999999999"}, {"label", "d"}, {"property", "p"}, {"label", "e"}}),
        (attr::Attributes{{"status", "1"}}));
    EXPECT_EQ(ask({{"request", "find_endp"}, {"label", "e"}, {"extra", "x"}}),
              (attr::Attributes{{"status", "1"}, {"property", ""}}));
    EXPECT_EQ(ask({{"request", "find_dest"}}), (attr::Attributes{{"status", "1"}, {"property", ""}, {"property", ""}}));
    EXPECT_EQ(ask({{"request", "save_dest"}, {"ttl", "2"}, {"property", "p"}, {"label", "d"}, {"label", "e"}}),
              (attr::Attributes{{"status", "1"}}));
    EXPECT_TRUE(warned("scache_save_endp_service: bad or missing request parameter"));
    EXPECT_TRUE(warned("scache_save_dest_service: bad or missing request parameter"));
    EXPECT_TRUE(warned("scache_find_endp_service: bad or missing request parameter"));
    EXPECT_TRUE(warned("scache_find_dest_service: bad or missing request parameter"));
    EXPECT_TRUE(warned("unexpected attribute extra from scache socket (expecting: (end))"));
    EXPECT_EQ(service.cache().size().destinations, 0);
    EXPECT_FALSE(session.busy());
}

TEST_F(Session, AnUnknownRequestOrAGroupWithoutOneIsAnsweredBad) {
    EXPECT_EQ(ask({{"request", "flush_all"}}), (attr::Attributes{{"status", "1"}}));
    EXPECT_TRUE(warned("unrecognized request: \"flush_all\", ignored"));
    EXPECT_EQ(ask({{"label", "x"}}), (attr::Attributes{{"status", "1"}}));
    EXPECT_EQ(ask({}), (attr::Attributes{{"status", "1"}}));
}

TEST_F(Session, ADescriptorNobodyAskedForIsClosed) {
    Pipe p;
    out.clear();
    ASSERT_TRUE(session.receive(std::string(1, '\0'), p.give(), 1000, out));
    EXPECT_TRUE(out.empty());
    EXPECT_TRUE(p.closed());
    EXPECT_TRUE(warned("unexpected file descriptor"));
    // The NUL that carried it was no end of group: the next request is read normally.
    EXPECT_EQ(ask({{"request", "find_endp"}, {"label", "e"}}), (attr::Attributes{{"status", "2"}, {"property", ""}}));
}

TEST_F(Session, ADescriptorInTheMiddleOfAGroupIsClosedAndTheGroupGoesOn) {
    std::string bytes = request({{"request", "find_endp"}, {"label", "e"}});
    Pipe p;
    out.clear();
    // The first half arrives with a descriptor whose carrier byte ends the chunk.
    ASSERT_TRUE(session.receive(bytes.substr(0, 12) + '\0', p.give(), 1000, out));
    EXPECT_TRUE(p.closed());
    EXPECT_TRUE(out.empty());
    EXPECT_TRUE(session.busy());  // a partial group
    ASSERT_TRUE(session.receive(bytes.substr(12), OwnedFd(), 1000, out));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(parse(out[0].bytes), (attr::Attributes{{"status", "2"}, {"property", ""}}));
}

TEST_F(Session, DataWhereTheDescriptorShouldBeFailsTheSave) {
    auto first = ask({{"request", "save_endp"}, {"ttl", "2"}, {"label", "e"}, {"property", "p"}});
    ASSERT_EQ(first, (attr::Attributes{{"dummy", ""}}));
    EXPECT_TRUE(session.busy());
    // One byte is taken as the descriptor's and fails; the rest is the next request.
    out.clear();
    ASSERT_TRUE(session.receive("X" + request({{"request", "find_endp"}, {"label", "e"}}), OwnedFd(), 1000, out));
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(parse(out[0].bytes), (attr::Attributes{{"status", "2"}}));
    EXPECT_EQ(parse(out[1].bytes), (attr::Attributes{{"status", "2"}, {"property", ""}}));
    EXPECT_TRUE(warned("unable to receive file descriptor"));
    EXPECT_EQ(service.cache().size().connections, 0);
}

TEST_F(Session, TheDescriptorMayArriveGluedAfterEarlierBytes) {
    // A request, then save_endp's descriptor in the same recvmsg(): the request is
    // answered, the save waits, and the descriptor completes it.
    Pipe p;
    std::string bytes = request({{"request", "find_endp"}, {"label", "x"}}) +
                        request({{"request", "save_endp"}, {"ttl", "2"}, {"label", "e"}, {"property", "p"}});
    out.clear();
    ASSERT_TRUE(session.receive(bytes + '\0', p.give(), 1000, out));
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(parse(out[0].bytes), (attr::Attributes{{"status", "2"}, {"property", ""}}));
    EXPECT_EQ(parse(out[1].bytes), (attr::Attributes{{"dummy", ""}}));
    EXPECT_EQ(parse(out[2].bytes), (attr::Attributes{{"status", "0"}}));
    EXPECT_EQ(service.cache().size().connections, 1);
    EXPECT_FALSE(p.closed());
}

TEST_F(Session, AHandOverTheClientDoesNotAskForClosesTheConnection) {
    Pipe p;
    saveEndp("2", "e", "prop", p);
    ask({{"request", "find_endp"}, {"label", "e"}});
    // Another request instead of {dummy}: nothing is sent, our copy is closed.
    out.clear();
    ASSERT_TRUE(session.receive(request({{"request", "find_endp"}, {"label", "e"}}), OwnedFd(), 1000, out));
    EXPECT_TRUE(out.empty());
    EXPECT_TRUE(p.closed());
    EXPECT_FALSE(session.busy());
    EXPECT_TRUE(warned("scache_find_endp_service: cannot send file descriptor"));
}

TEST_F(Session, TheDummyAfterTheDescriptorMayComeWithTheNextRequest) {
    Pipe p;
    saveEndp("2", "e", "prop", p);
    ask({{"request", "find_endp"}, {"label", "e"}});
    out.clear();
    ASSERT_TRUE(session.receive(request({{"dummy", ""}}), OwnedFd(), 1000, out));
    ASSERT_EQ(out.size(), 1u);
    out.clear();
    ASSERT_TRUE(session.receive(request({{"dummy", ""}}) + request({{"request", "find_endp"}, {"label", "e"}}),
                                OwnedFd(), 1000, out));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(parse(out[0].bytes), (attr::Attributes{{"status", "2"}, {"property", ""}}));
}

TEST_F(Session, AClientThatGoesAwayMidHandOverLeaksNothing) {
    Pipe p;
    {
        ClientSession other(service);
        std::vector<Outgoing> o;
        ASSERT_TRUE(other.receive(request({{"request", "save_endp"}, {"ttl", "2"}, {"label", "e"}, {"property", "p"}}),
                                  OwnedFd(), 1000, o));
        ASSERT_TRUE(other.receive(std::string(1, '\0'), p.give(), 1000, o));
        o.clear();
        ASSERT_TRUE(other.receive(request({{"request", "find_endp"}, {"label", "e"}}), OwnedFd(), 1000, o));
        EXPECT_FALSE(p.closed());  // held for the hand-over
    }
    EXPECT_TRUE(p.closed());
}

TEST_F(Session, OversizedInputDisconnects) {
    std::string name(attr::GroupScanner::kMaxLength + 1, 'a');
    EXPECT_FALSE(session.receive(name, OwnedFd(), 1000, out));
    ClientSession other(service);
    std::string many;
    for (size_t i = 0; i <= ClientSession::kMaxAttributes; ++i) attr::append(many, "label", "x");
    Pipe p;
    EXPECT_FALSE(other.receive(many + '\0', p.give(), 1000, out));
    EXPECT_TRUE(p.closed());
}

TEST(CacheService, StatisticsFollowPostfixsResetRules) {
    CacheService service(2, 1765066606);
    EXPECT_TRUE(service.report(1765066700).empty());
    service.countDestLookup(true);
    service.countDestLookup(true);
    service.countDestLookup(false);
    auto lines = service.report(1765066800);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].rfind("statistics: start interval ", 0), 0u);
    EXPECT_EQ(lines[0].size(), std::string("statistics: start interval ").size() + 15);
    EXPECT_EQ(lines[1], "statistics: domain lookup hits=2 miss=1 success=66%");
    // Peaks are taken at saves and start again from zero after a report, even though
    // what is cached stays.
    Pipe p;
    service.cache().saveEndpoint(1765066800, 2, "e", "p", p.give());
    service.notePeaks(false, true, true);
    lines = service.report(1765066801);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[1], "statistics: max simultaneous domains=0 addresses=1 connection=1");
    EXPECT_TRUE(service.report(1765066802).empty());
}

}  // namespace
}  // namespace postline::scache
