// smtpd's MessageSink in stand-alone mode ("sendmail -bs"): the message goes through
// the postdrop command into the maildrop queue, as Postfix's smtpd.c mail_open_stream
// does for SMTPD_STAND_ALONE with mail_stream_command("$command_directory/postdrop").
#pragma once

#include <sys/types.h>

#include <string>

#include "postline/smtp/message_sink.h"

namespace postline::smtpd {

class PostdropSink final : public smtp::MessageSink {
public:
    // `command`: the postdrop program to run (no arguments); it inherits the
    // environment (MAIL_CONFIG) and standard error.
    explicit PostdropSink(std::string command);
    ~PostdropSink() override;
    PostdropSink(const PostdropSink&) = delete;
    PostdropSink& operator=(const PostdropSink&) = delete;

    // Starts postdrop and reads its "postdrop_protocol" greeting with the queue id. An
    // error is "unable to execute COMMAND" (after postdrop's own complaint and the
    // warning `command "COMMAND" exited with status N`).
    base::Result<std::string> open(bool smtputf8) override;
    void arrivalTime(long seconds, long microseconds) override;
    void attribute(std::string_view name, std::string_view value) override;
    void sender(std::string_view address) override;
    void recipient(std::string_view address) override;
    void processingFlags(int flags) override;
    void messageStart() override;
    void extractedStart() override;
    void contentFilter(std::string_view filter) override;
    void redirect(std::string_view address) override;
    void contentLine(std::string_view line, bool complete) override;
    // Sends the end record and reads postdrop's status and reason (a broken pipe or a
    // missing reply is a write error).
    smtp::SinkResult finish() override;
    // Closes postdrop's input without an end record: postdrop removes its file.
    void abandon() override;

private:
    void record(int type, std::string_view data);
    bool flush();
    // Closes both pipes and reaps postdrop; its exit status.
    int close();

    std::string command_;
    pid_t pid_ = -1;
    int toFd_ = -1, fromFd_ = -1;
    std::string buffer_;
    std::string pending_;
    bool failed_ = false;
};

// The postdrop to run: the one beside Postline's user commands (../bin/postdrop next
// to this daemon's directory) when there is one, else COMMAND_DIRECTORY/postdrop.
std::string postdropCommand(const std::string& commandDirectory);

}  // namespace postline::smtpd
