// A queue directory in a temporary directory with one active queue file, as the
// delivery agents' tests need it (cleanup's record layout through QueueFileWriter): the
// request for it, its recipients' states, and the diagnostics captured. Shared by the
// tests of lib/delivery and of the agents (error, discard).
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "postline/base/msg.h"
#include "postline/delivery/agent_delivery.h"
#include "postline/queue/input_stream.h"
#include "postline/queue/maildrop_file.h"
#include "postline/queue/queue_file.h"
#include "postline/queue/queue_file_writer.h"
#include "postline/queue/record_type.h"

namespace postline::delivery::testing {

namespace rec = queue::rec;

class AgentQueueFixture : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = ::testing::TempDir() + "agent_queue.XXXXXX";
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        root_ = pattern;
        char cwd[4096];
        ASSERT_NE(::getcwd(cwd, sizeof cwd), nullptr);
        cwd_ = cwd;
        for (const char* q : {"active", "bounce", "defer"}) ::mkdir((root_ + "/" + q).c_str(), 0700);
        base::setMsgSink([this](base::Severity s, std::string_view t) {
            log_.push_back((s == base::Severity::Warning ? "warning: " : "") + std::string(t));
        });
        writeQueueFile();
    }
    void TearDown() override {
        base::setMsgSink(nullptr);
        (void)::chdir(cwd_.c_str());
        std::filesystem::remove_all(root_);
    }

    // An active queue file as cleanup writes it: two recipients (one with an original
    // address), a header, a blank line, a body line longer than the line limit (split
    // into 'L' and 'N' records), then the extracted segment.
    void writeQueueFile() {
        ASSERT_EQ(::chdir(root_.c_str()), 0);
        auto file = queue::NewQueueFile::create("active", {}, false, 0600, nullptr);
        ASSERT_TRUE(file.ok()) << file.error().message;
        queue::QueueFileWriter w(std::move(*file), 20, 0, [](std::string) {});
        id_ = w.id();
        w.out(rec::kSize, queue::formatSizeFields({}));
        w.out(rec::kTime, "1700000000 0");
        w.out(rec::kFrom, "alice@example.org");
        w.out(rec::kAttr, "notify_flags=6");
        w.out(rec::kOrigRcpt, "Bob@Example.COM");
        bobOffset_ = w.offset();
        w.out(rec::kRcpt, "bob@example.com");
        w.out(rec::kOrigRcpt, "Postmaster@example.com");
        carolOffset_ = w.offset();
        w.out(rec::kRcpt, "carol@example.com");
        long mesg = w.offset();
        w.out(rec::kMesg, "");
        dataOffset_ = w.offset();
        w.out(rec::kNorm, "Subject: hi");
        w.out(rec::kNorm, "");
        w.out(rec::kNorm, "a body line that is longer than twenty");
        w.out(rec::kNorm, "end");
        long xtra = w.offset();
        w.out(rec::kXtra, "");
        w.out(rec::kEnd, "");
        queue::SizeFields size;
        size.extractedOffsetDelta = xtra - dataOffset_;
        size.contentOffset = dataOffset_;
        size.recipients = 2;
        (void)mesg;
        w.patchSize(size);
        ASSERT_EQ(w.finish(), 0);
        ASSERT_EQ(::chdir(cwd_.c_str()), 0);
    }

    DeliverRequest request() const {
        DeliverRequest r;
        r.queueName = "active";
        r.queueId = id_;
        r.dataOffset = dataOffset_;
        r.nexthop = "example.com";
        r.sender = "alice@example.org";
        r.arrivalTime = 1700000000;
        r.activeTime = 1700000000.5;
        r.handoffTime = 1700000001;
        r.recipients.push_back({"Bob@Example.COM", "bob@example.com", "", 6, bobOffset_});
        r.recipients.push_back({"Postmaster@example.com", "carol@example.com", "rfc822;x@y", 0, carolOffset_});
        return r;
    }

    std::unique_ptr<AgentDelivery> open(DeliverRequest r) {
        auto d = AgentDelivery::open(root_, "deferred, defer", 1, std::move(r));
        EXPECT_TRUE(d.ok()) << d.error().message;
        return d.ok() ? std::move(*d) : nullptr;
    }

    std::vector<queue::Recipient::State> states() const {
        auto in = queue::InputStream::open(root_ + "/active/" + id_);
        EXPECT_TRUE(in.ok());
        auto file = queue::readQueueFile(*in);
        EXPECT_TRUE(file.ok()) << file.error().message;
        std::vector<queue::Recipient::State> out;
        for (const auto& r : file->recipients) out.push_back(r.state);
        return out;
    }

    static std::string slurp(const std::string& path) {
        std::ifstream in(path);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }

    std::string root_, cwd_, id_;
    long bobOffset_ = 0, carolOffset_ = 0, dataOffset_ = 0;
    std::vector<std::string> log_;
};

using State = queue::Recipient::State;

}  // namespace postline::delivery::testing
