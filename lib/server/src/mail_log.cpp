// The mail log sink: maillog_file lines as Postfix's msg_logger.c formats them, or
// syslog(3) as msg_syslog.c calls it.
#include "postline/server/mail_log.h"

#include <fcntl.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "postline/base/strings.h"

namespace postline::server {

namespace {

const char* severityWord(base::Severity severity) {
    switch (severity) {
        case base::Severity::Info:
            return nullptr;
        case base::Severity::Warning:
            return "warning";
        case base::Severity::Error:
            return "error";
        case base::Severity::Fatal:
            return "fatal";
        case base::Severity::Panic:
            return "panic";
    }
    return nullptr;
}

int syslogPriority(base::Severity severity) {
    switch (severity) {
        case base::Severity::Info:
            return LOG_INFO;
        case base::Severity::Warning:
            return LOG_WARNING;
        case base::Severity::Error:
            return LOG_ERR;
        case base::Severity::Fatal:
            return LOG_CRIT;
        case base::Severity::Panic:
            return LOG_ALERT;
    }
    return LOG_INFO;
}

// The maillog_file descriptor of the sink installed last (closed when another replaces it).
int installedFd = -1;

void replaceInstalledFd(int fd) {
    if (installedFd >= 0 && installedFd != fd) ::close(installedFd);
    installedFd = fd;
}

void writeLine(int fd, const std::string& line) {
    ssize_t ignored = ::write(fd, line.data(), line.size());
    (void)ignored;
}

}  // namespace

std::string formatLogLine(std::time_t when, std::string_view hostname, std::string_view ident, long pid,
                          base::Severity severity, std::string_view text) {
    char stamp[64];
    struct tm local;
    localtime_r(&when, &local);
    size_t len = std::strftime(stamp, sizeof stamp, "%b %d %H:%M:%S ", &local);
    std::string line(stamp, len);
    line.append(hostname.substr(0, hostname.find('.')));
    line += ' ';
    line += ident;
    line += '[';
    line += std::to_string(pid);
    line += "]: ";
    if (const char* word = severityWord(severity)) {
        line += word;
        line += ": ";
    }
    line += text;
    return line;
}

std::string maillogPrefixProblem(std::string_view file, std::string_view prefixes) {
    for (std::string_view prefix : base::splitAny(prefixes, ", \t\r\n"))
        if (!prefix.empty() && base::startsWith(file, prefix)) return "";
    return base::cat("maillog_file value '", file, "' does not match any prefix in maillog_file_prefixes");
}

int syslogFacility(std::string_view name) {
    static const struct {
        const char* name;
        int code;
    } kFacilities[] = {
        {"auth", LOG_AUTH},     {"authpriv", LOG_AUTHPRIV}, {"cron", LOG_CRON},     {"daemon", LOG_DAEMON},
        {"ftp", LOG_FTP},       {"kern", LOG_KERN},         {"lpr", LOG_LPR},       {"mail", LOG_MAIL},
        {"news", LOG_NEWS},     {"syslog", LOG_SYSLOG},     {"user", LOG_USER},     {"uucp", LOG_UUCP},
        {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1},     {"local2", LOG_LOCAL2}, {"local3", LOG_LOCAL3},
        {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},     {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7}};
    for (const auto& f : kFacilities)
        if (name == f.name) return f.code;
    return -1;
}

base::Status installMailLog(const MailLogSettings& settings) {
    auto toStderr = [alsoStderr = settings.alsoStderr, from = settings.stderrFrom](base::Severity severity,
                                                                                   std::string_view text) {
        if (alsoStderr && int(severity) >= int(from)) writeLine(STDERR_FILENO, base::formatMsg(severity, text) + "\n");
    };
    if (!settings.file.empty()) {
        if (std::string problem = maillogPrefixProblem(settings.file, settings.prefixes); !problem.empty())
            return base::Error{problem};
        int fd = ::open(settings.file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0) return base::errnoError("open maillog_file " + settings.file);
        // The descriptor lives as long as the process: the sink is process-wide.
        base::setMsgSink([fd, settings, toStderr](base::Severity severity, std::string_view text) {
            writeLine(fd, formatLogLine(std::time(nullptr), settings.hostname, settings.ident, long(::getpid()),
                                        severity, text) +
                              "\n");
            toStderr(severity, text);
        });
        replaceInstalledFd(fd);
        return {};
    }
    int facility = syslogFacility(settings.facility);
    if (facility < 0) return base::Error{"unknown syslog_facility: " + settings.facility};
    // openlog keeps the pointer: the ident must outlive the process's logging.
    static std::string ident;
    ident = settings.ident;
    ::openlog(ident.c_str(), LOG_PID | LOG_NDELAY, facility);
    base::setMsgSink([toStderr](base::Severity severity, std::string_view text) {
        std::string line;
        if (const char* word = severityWord(severity)) line = base::cat(word, ": ");
        line += text;
        ::syslog(syslogPriority(severity), "%s", line.c_str());
        toStderr(severity, text);
    });
    replaceInstalledFd(-1);
    return {};
}

}  // namespace postline::server
