// pickup's copy of a maildrop file to cleanup (pickupCopy, after Postfix's pickup_copy
// and copy_segment): the arrival time from the file's mtime, the Received: header, the
// records a user may not set dropped, the log line, bad files removed with the warning.
#include "pickup_core.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "postline/queue/cleanup_client.h"
#include "postline/queue/cleanup_status.h"
#include "postline/queue/record.h"
#include "postline/queue/record_type.h"

namespace postline::pickup {
namespace {

namespace rec = queue::rec;

struct Run {
    std::vector<std::string> records;
    std::vector<std::string> log;
    PickupVerdict verdict = PickupVerdict::Keep;
};

Run copy(const std::vector<std::pair<int, std::string>>& file, int status = 0) {
    Run run;
    std::string bytes;
    for (const auto& [t, d] : file) queue::appendRecord(bytes, t, d);
    auto in = queue::InputStream::fromBytes(bytes, "maildrop/ABC");
    PickupEnvironment env;
    env.myhostname = "mx.example.org";
    env.ownerUid = 999;
    env.now = [] { return static_cast<time_t>(1700000000); };
    env.info = [&](std::string_view t) { run.log.emplace_back(t); };
    env.warn = [&](std::string_view t) { run.log.push_back("warning: " + std::string(t)); };
    PickupSink sink;
    sink.record = [&](int type, std::string_view d) {
        run.records.push_back(std::string(1, static_cast<char>(type)) + " " + std::string(d));
    };
    sink.finish = [&](std::string&) { return status; };
    struct stat st {};
    st.st_uid = 1000;
    st.st_mode = 0100744;
    st.st_mtime = 1700000000;
    run.verdict = pickupCopy(env, in, st, "maildrop/ABC", "QID", sink);
    return run;
}

TEST(PickupCopy, CopiesAsPostfixPickupDoes) {
    auto r = copy({{rec::kFullName, "Alice"},
                   {rec::kFrom, "alice"},
                   {rec::kAttr, "rewrite_context=local"},
                   {rec::kRcpt, "bob"},
                   {rec::kMesg, ""},
                   {rec::kNorm, "Subject: hi"},
                   {rec::kNorm, ""},
                   {rec::kNorm, "body"},
                   {rec::kXtra, ""},
                   {rec::kAttr, "notify_flags=2"},
                   {rec::kAttr, "other=dropped"},
                   {rec::kRcpt, "carol"},
                   {rec::kEnd, ""}});
    EXPECT_EQ(r.verdict, PickupVerdict::Remove);
    ASSERT_GE(r.records.size(), 12u);
    EXPECT_EQ(r.records[0], "F Alice");
    EXPECT_EQ(r.records[1], "T 1700000000");  // no T in the file: the mtime, before S
    EXPECT_EQ(r.records[2], "S alice");
    EXPECT_EQ(r.records[5], "M ");
    EXPECT_EQ(r.records[6], "N Received: by mx.example.org (Postfix, from userid 1000)");
    EXPECT_EQ(r.records[7].rfind("N \tid QID; ", 0), 0u) << r.records[7];
    EXPECT_EQ(r.records[8], "N Subject: hi");
    EXPECT_EQ(r.records[11], "X ");
    EXPECT_EQ(r.records[12], "A notify_flags=2");
    EXPECT_EQ(r.records[13], "R carol");
    EXPECT_EQ(r.records.size(), 14u);  // "other=" dropped, E is the sink's
    ASSERT_EQ(r.log.size(), 1u);
    EXPECT_EQ(r.log[0], "QID: uid=1000 from=<alice>");
}

TEST(PickupCopy, ContentStartingWithBlankGetsAnEmptyLineFirst) {
    auto r = copy({{rec::kFrom, "a"}, {rec::kMesg, ""}, {rec::kNorm, " folded?"}, {rec::kXtra, ""}, {rec::kEnd, ""}});
    ASSERT_GE(r.records.size(), 7u);
    EXPECT_EQ(r.records[5], "N ");
    EXPECT_EQ(r.records[6], "N  folded?");
}

TEST(PickupCopy, BadFilesAreRemovedWithAWarning) {
    auto r = copy({{rec::kFrom, "a"}, {rec::kNorm, "x"}, {rec::kMesg, ""}});
    EXPECT_EQ(r.verdict, PickupVerdict::Remove);
    EXPECT_EQ(r.log.back(), "warning: uid=1000: unexpected or malformed record type 78");
    r = copy({{rec::kRcpt, "b"}, {rec::kMesg, ""}, {rec::kXtra, ""}, {rec::kEnd, ""}});
    EXPECT_EQ(r.log.back(), "warning: QID: uid=1000: no envelope sender");
    r = copy({{rec::kFrom, "a"}, {rec::kMesg, ""}});  // truncated
    EXPECT_EQ(r.verdict, PickupVerdict::Remove);
    EXPECT_EQ(r.log.back(), "warning: uid=1000: unexpected or malformed record type -1");
}

TEST(PickupCopy, CleanupTroubleKeepsOrRemovesTheFile) {
    std::vector<std::pair<int, std::string>> ok = {
        {rec::kFrom, "a"}, {rec::kRcpt, "b"}, {rec::kMesg, ""}, {rec::kXtra, ""}, {rec::kEnd, ""}};
    EXPECT_EQ(copy(ok, queue::cleanup_stat::kWrite).verdict, PickupVerdict::Keep);
    auto r = copy(ok, queue::cleanup_stat::kRcpt);
    EXPECT_EQ(r.verdict, PickupVerdict::Remove);
    EXPECT_EQ(r.log.back(), "warning: maildrop/ABC: error writing QID: no recipients specified");
}

TEST(PickupFlags, ReceiveOverridesAndSmtputf8Autodetection) {
    namespace f = queue::cleanup_flag;
    int all = f::kBounce | f::kFilter | f::kMilter | f::kBccOk | f::kMapOk;
    EXPECT_EQ(applyReceiveOverrides(all, ""), all);
    EXPECT_EQ(applyReceiveOverrides(all, "no_address_mappings, No_Milters"), f::kBounce | f::kFilter);
    EXPECT_EQ(applyReceiveOverrides(all, "no_header_body_checks no_unknown_recipient_checks"), all & ~f::kFilter);
    EXPECT_TRUE(autodetectsUtf8("sendmail, verify", "sendmail"));
    EXPECT_TRUE(autodetectsUtf8("ALL", "sendmail"));
    EXPECT_FALSE(autodetectsUtf8("smtpd", "sendmail"));
    EXPECT_FALSE(autodetectsUtf8("", "sendmail"));
}

}  // namespace
}  // namespace postline::pickup
