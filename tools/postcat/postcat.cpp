// postcat(1) after Postfix 3.7's postcat/postcat.c: the records of queue files (named,
// searched in the queue with -q, or read from stdin) in human-readable form. The
// envelope/header/body state machine, the seeks it makes to skip what is not printed,
// and the points where output is flushed are Postfix's, so that partial output before
// a fatal error is the same too.
#include "postcat.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/config/compat_level.h"
#include "postline/config/config.h"
#include "postline/config/import_environment.h"
#include "postline/queue/input_stream.h"
#include "postline/queue/queue_path.h"
#include "postline/queue/record.h"
#include "postline/queue/record_type.h"

namespace postline::tools {
namespace {

using queue::InputStream;
using queue::RecordReader;
namespace rec = queue::rec;

// PC_FLAG_*
constexpr int kSearchQueue = 1 << 0;
constexpr int kPrintOffset = 1 << 1;
constexpr int kPrintEnv = 1 << 2;
constexpr int kPrintHeader = 1 << 3;
constexpr int kPrintBody = 1 << 4;
constexpr int kPrintTypeDecimal = 1 << 5;
constexpr int kRaw = 1 << 6;
constexpr int kPrintText = kPrintHeader | kPrintBody;
constexpr int kPrintAll = kPrintEnv | kPrintText;

enum class State { Envelope, Header, Body };

// Standard output, written only where Postfix flushes VSTREAM_OUT: what is still
// buffered when the program ends (a fatal error, or the end of the last file) is lost,
// as with Postfix.
class Output {
public:
    void put(std::string_view text) { buffer_.append(text); }
    void put(char c) { buffer_.push_back(c); }
    void printf(const char* format, auto... args) {
        char buf[64];
        int n = std::snprintf(buf, sizeof buf, format, args...);
        if (n > 0) buffer_.append(buf, static_cast<size_t>(n));
    }
    void flush() {
        size_t done = 0;
        while (done < buffer_.size()) {
            ssize_t n = ::write(STDOUT_FILENO, buffer_.data() + done, buffer_.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            done += static_cast<size_t>(n);
        }
        buffer_.clear();
    }

private:
    std::string buffer_;
};

// The C string Postfix prints with "%s": the data up to its first NUL.
std::string_view cString(const std::string& data) {
    auto nul = data.find('\0');
    return nul == std::string::npos ? std::string_view(data) : std::string_view(data).substr(0, nul);
}

bool isAsciiSpace(unsigned char c) { return c < 128 && std::isspace(c); }

// atol(): leading white space, a sign, digits.
long parseLong(std::string_view text) { return std::atol(std::string(text).c_str()); }

// asctime(localtime(&t)): "Sun Dec  6 18:15:14 2026\n".
std::string asciiTime(time_t t) {
    struct tm tm;
    char buf[64];
    if (!::localtime_r(&t, &tm) || !::asctime_r(&tm, buf)) return "(null)";
    return buf;
}

// is_header(): a name of printable ASCII without ':' or blanks, optional blanks, ':'.
bool isHeader(std::string_view text) {
    enum { Init, InChar, InCharSpace } state = Init;
    for (unsigned char c : text) {
        if (c == ':') return state != Init;
        if (c == ' ' || c == '\t') {
            if (state == InChar) state = InCharSpace;
            if (state == InCharSpace) continue;
            return false;
        }
        if (c == 0 || c >= 128 || std::iscntrl(c)) return false;
        if (state == Init) state = InChar;
        if (state == InChar) continue;
        return false;
    }
    return false;
}

// split_nameval(): "name = value" with blanks trimmed; the error text, or empty.
std::string_view splitNameValue(std::string_view text, std::string& name, std::string& value) {
    size_t i = 0;
    auto space = [&](size_t at) { return at < text.size() && isAsciiSpace(static_cast<unsigned char>(text[at])); };
    while (space(i)) ++i;
    if (i >= text.size() || text[i] == '=') return "missing attribute name";
    size_t nameStart = i;
    while (i < text.size() && !isAsciiSpace(static_cast<unsigned char>(text[i])) && text[i] != '=') ++i;
    size_t nameEnd = i;
    while (space(i)) ++i;
    if (i >= text.size() || text[i] != '=') return "missing '=' after attribute name";
    ++i;
    while (space(i)) ++i;
    size_t valueEnd = text.size();
    while (valueEnd > i && isAsciiSpace(static_cast<unsigned char>(text[valueEnd - 1]))) --valueEnd;
    name = text.substr(nameStart, nameEnd - nameStart);
    value = text.substr(i, valueEnd - i);
    return {};
}

class Postcat {
public:
    Postcat(int flags, off_t startOffset) : flags_(flags), startOffset_(startOffset) {}

    void show(InputStream& in, bool isStdin);

private:
    void printPrefix(off_t offset, int type) {
        if (flags_ & kPrintOffset) out_.printf("%9lu ", static_cast<unsigned long>(offset));
        if (flags_ & kPrintTypeDecimal) out_.printf("%3d ", type);
    }
    void printMarker(const InputStream& in, off_t offset, int type, std::string_view text) {
        printPrefix(offset, type);
        out_.put(base::cat("*** ", text, " ", in.name(), " ***\n"));
        out_.flush();
    }
    void printRecord(off_t offset, int type, const std::string& data) {
        printPrefix(offset, type);
        out_.put(base::cat(rec::typeName(type), ": ", cString(data), "\n"));
        out_.flush();
    }

    int flags_;
    off_t startOffset_;
    Output out_;
};

void Postcat::show(InputStream& in, bool isStdin) {
    int prevType = 0;
    // Without -v, pointer records are followed and padding skipped by the reader.
    int readFlags = base::verbose() ? queue::read_flag::kNone : queue::read_flag::kDefault;
    RecordReader reader(in);

    if (startOffset_ > 0) {
        if (isStdin) {
            for (off_t offset = 0; offset < startOffset_; ++offset)
                if (in.get() < 0)
                    base::msgFatal(base::cat(in.name(), ": skip ", std::to_string(startOffset_), " bytes failed after ",
                                             std::to_string(offset)));
        } else if (!in.seek(startOffset_)) {
            base::msgFatal(
                base::cat(in.name(), ": seek to ", std::to_string(startOffset_), ": ", std::strerror(errno)));
        }
    }

    // A plausible queue file starts with an envelope record type (strchr() also finds
    // the string's terminating NUL, so a NUL byte passes too).
    if (startOffset_ == 0) {
        int ch = in.get();
        if (ch >= 0) {
            if (ch != 0 && !rec::inSet(rec::kEnvelopeTypes, ch)) {
                base::msgWarn(base::cat(in.name(), ": input is not a valid queue file"));
                return;
            }
            in.unget();
        }
    }

    if (startOffset_ == 0 && (flags_ & kPrintEnv)) out_.put(base::cat("*** ENVELOPE RECORDS ", in.name(), " ***\n"));
    State state = State::Envelope;
    bool doPrint = (flags_ & kPrintEnv) != 0;
    long dataOffset = -1;
    long dataSize = -1;
    auto text = [](int type) { return type == rec::kCont || type == rec::kNorm; };

    for (;;) {
        off_t offset = 0;
        if (flags_ & kPrintOffset) offset = in.tell();
        auto next = reader.next(readFlags);
        if (!next) {
            base::msgWarn(next.error().message);
            base::msgFatal("record read error");
        }
        int type = next->type;
        const std::string& data = next->data;
        if (type == rec::kEof) break;

        // Records that move the state machine or the reading position.
        if (text(type)) {
            // Wrong when the message starts with white space, as in Postfix.
            if (state == State::Header && (flags_ & kPrintText) && prevType != rec::kCont &&
                !(isHeader(cString(data)) || (!data.empty() && (data[0] == ' ' || data[0] == '\t')))) {
                state = State::Body;
                doPrint = (flags_ & kPrintBody) != 0;
                if (!doPrint && !(flags_ & kPrintEnv)) break;
                if (!doPrint && (flags_ & kPrintEnv) && dataOffset >= 0 && dataSize >= 0 &&
                    !in.seek(dataOffset + dataSize))
                    base::msgFatal(base::cat("seek error: ", std::strerror(errno)));
            }
        } else if (type == rec::kMesg) {
            if (state != State::Envelope) base::msgWarn(base::cat(in.name(), ": out-of-order message content marker"));
            if (flags_ & kPrintEnv) printMarker(in, offset, type, "MESSAGE CONTENTS");
            if (!(flags_ & kPrintText) && dataOffset >= 0 && dataSize >= 0 && !in.seek(dataOffset + dataSize))
                base::msgFatal(base::cat("seek error: ", std::strerror(errno)));
            state = State::Header;
            doPrint = (flags_ & kPrintHeader) != 0;
            continue;
        } else if (type == rec::kXtra) {
            if (state != State::Header && state != State::Body)
                base::msgWarn(base::cat(in.name(), ": out-of-order extracted segment marker"));
            // Ends a header or body line left unterminated by an 'L' record.
            if (doPrint && prevType == rec::kCont) out_.put('\n');
            if (flags_ & kPrintEnv) printMarker(in, offset, type, "HEADER EXTRACTED");
            state = State::Envelope;
            doPrint = (flags_ & kPrintEnv) != 0;
            if (!doPrint) break;
            continue;
        } else if (type == rec::kEnd) {
            if (state != State::Envelope) base::msgWarn(base::cat(in.name(), ": out-of-order message end marker"));
            if (flags_ & kPrintEnv) printMarker(in, offset, type, "MESSAGE FILE END");
            if (flags_ & kRaw) continue;
            break;
        } else if (type == rec::kPointer) {
            // Seen only with -v (otherwise the reader follows pointers itself).
            if (doPrint) printRecord(offset, type, data);
            if (!(flags_ & kRaw)) {
                auto followed = reader.follow(cString(data));
                if (!followed) {
                    base::msgWarn(followed.error().message);
                    base::msgFatal("bad pointer record, or input is not seekable");
                }
            }
            continue;
        } else if (type == rec::kSize) {
            if (doPrint) printRecord(offset, type, data);
            if (dataSize >= 0 || dataOffset >= 0) {
                base::msgWarn("file contains multiple size records");
            } else {
                std::string fields(cString(data));
                if (std::sscanf(fields.c_str(), "%ld %ld", &dataSize, &dataOffset) != 2 || dataOffset <= 0 ||
                    dataSize <= 0)
                    base::msgWarn(base::cat("invalid size record: ", cString(data).substr(0, 100)));
                // Without -e, go straight to the message content.
                if (!(flags_ & kPrintEnv)) {
                    if (!in.seek(dataOffset)) base::msgFatal(base::cat("seek error: ", std::strerror(errno)));
                    state = State::Header;
                    doPrint = (flags_ & kPrintHeader) != 0;
                }
            }
            continue;
        }

        if (!doPrint) continue;
        printPrefix(offset, type);
        switch (type) {
            case rec::kTime: {
                std::string_view value = cString(data);
                out_.put(base::cat(rec::typeName(type), ": ", asciiTime(static_cast<time_t>(parseLong(value)))));
                break;
            }
            case rec::kWarn:
                out_.put(
                    base::cat(rec::typeName(type), ": ", asciiTime(static_cast<time_t>(parseLong(cString(data))))));
                break;
            case rec::kCont:  // also REC_TYPE_FILT in the envelope
                if (state == State::Envelope)
                    out_.put(base::cat(rec::typeName(type), ": "));
                else if (base::verbose())
                    out_.put("unterminated_text: ");
                out_.put(data);
                if (state == State::Envelope || base::verbose() || (flags_ & kPrintOffset)) {
                    type = 0;
                    out_.put('\n');
                }
                break;
            case rec::kNorm:
                if (base::verbose()) out_.put(base::cat(rec::typeName(type), ": "));
                out_.put(data);
                out_.put('\n');
                break;
            case rec::kPadding:
                out_.put(base::cat(rec::typeName(type), ": "));
                out_.put(data);
                out_.put('\n');
                break;
            case rec::kAttr: {
                std::string name, value;
                std::string_view error = splitNameValue(cString(data), name, value);
                if (!error.empty()) {
                    base::msgWarn(
                        base::cat(in.name(), ": malformed attribute: ", error, ": ", cString(data).substr(0, 100)));
                    break;
                }
                if (name == "create_time")
                    out_.put(base::cat("create_time: ", asciiTime(static_cast<time_t>(parseLong(value)))));
                else
                    out_.put(base::cat(rec::typeName(type), ": ", name, "=", value, "\n"));
                break;
            }
            default:
                out_.put(base::cat(rec::typeName(type), ": ", cString(data), "\n"));
                break;
        }
        prevType = type;
        out_.flush();  // in case the next record is broken
    }
    // No flush here: Postfix's VSTREAM_OUT is flushed only after records and markers
    // (and never at exit), so a file's header line with no record after it, or the
    // newline that ends an unterminated text line, comes out with the next file's
    // output, or not at all.
}

[[noreturn]] void usage(const char* myname) {
    base::msgFatal(base::cat("usage: ", myname,
                             " [-b (body text)] [-c config_dir] [-d (decimal record type)] [-e (envelope records)] "
                             "[-h (header text)] [-q (access queue)] [-v] [file(s)...]"));
}

}  // namespace

int runPostcat(int argc, char** argv) {
    // Descriptors 0-2 open before anything else.
    for (int fd = 0; fd < 3; ++fd) {
        struct stat st;
        if (::fstat(fd, &st) == -1 && (::close(fd), ::open("/dev/null", O_RDWR, 0)) != fd)
            base::msgFatal(base::errnoError("open /dev/null").message);
    }
    // msg_vstream_init(argv[0]): messages name the program as it was invoked.
    const char* myname = argc > 0 && argv[0] ? argv[0] : "postcat";
    base::setProgramNameVerbatim(myname);
    if (std::getenv("MAIL_VERBOSE")) base::setVerbose(1);

    int flags = 0;
    off_t startOffset = 0;
    int verbose = base::verbose();
    optind = 0;
    int ch;
    while ((ch = ::getopt(argc, argv, "+bc:dehoqrs:v")) > 0) {
        switch (ch) {
            case 'b':
                flags |= kPrintBody;
                break;
            case 'c':
                if (::setenv("MAIL_CONFIG", optarg, 1) < 0) base::msgFatal("out of memory");
                break;
            case 'd':
                flags |= kPrintTypeDecimal;
                break;
            case 'e':
                flags |= kPrintEnv;
                break;
            case 'h':
                flags |= kPrintHeader;
                break;
            case 'o':
                flags |= kPrintOffset;
                break;
            case 'q':
                flags |= kSearchQueue;
                break;
            case 'r':
                flags |= kRaw;
                break;
            case 's': {
                std::string_view arg(optarg);
                bool digits = !arg.empty() && arg.find_first_not_of("0123456789") == std::string_view::npos;
                if (!digits || (startOffset = std::atol(optarg)) < 0) base::msgFatal(base::cat("bad offset: ", arg));
                break;
            }
            case 'v':
                base::setVerbose(++verbose);
                break;
            default:
                usage(myname);
        }
    }
    if ((flags & kPrintAll) == 0) flags |= kPrintAll;

    // mail_conf_read(): main.cf's warnings, then mail_params_init()'s checks.
    auto config = config::Config::load(config::defaultConfigDirectory());
    if (!config) base::msgFatal(config.error().message);
    for (const auto& warning : config->loadWarnings()) base::msgWarn(warning);
    base::setMsgUtf8(config->getBool("smtputf8_enable"));  // mail_params_init(): util_utf8_enable
    base::checkOrFatal(config::checkCompatibilityLevel(*config));
    config::applyImportEnvironment(config->get("import_environment"));

    Postcat postcat(flags, startOffset);
    if (optind == argc) {
        auto in = InputStream::fromDescriptor(STDIN_FILENO, "stdin");
        postcat.show(in, true);
    } else if (flags & kSearchQueue) {
        std::string queueDir = config->get("queue_directory");
        if (::chdir(queueDir.c_str()) != 0) base::msgFatal(base::cat("chdir ", queueDir, ": ", std::strerror(errno)));
        auto layout =
            queue::queueLayout(config->get("hash_queue_names"), static_cast<int>(config->getLong("hash_queue_depth")));
        static constexpr std::string_view kQueues[] = {queue::kMaildrop, queue::kIncoming, queue::kActive,
                                                       queue::kDeferred, queue::kHold,     queue::kSaved};
        for (; optind < argc; ++optind) {
            std::string_view id(argv[optind]);
            if (!queue::queueIdOk(id)) base::msgFatal(base::cat("bad mail queue ID: ", id));
            // Twice over the queues: the file may move from one to the next meanwhile.
            std::optional<InputStream> in;
            int lastErrno = 0;
            for (int tries = 0; !in && tries < 2; ++tries) {
                for (auto name : kQueues) {
                    auto opened = InputStream::open(queue::queuePath(layout, name, id));
                    if (opened) {
                        in.emplace(std::move(*opened));
                        break;
                    }
                    lastErrno = opened.error().errnum;
                }
            }
            if (!in) base::msgFatal(base::cat("open queue file ", id, ": ", std::strerror(lastErrno)));
            postcat.show(*in, false);
            int readErrno = in->readErrno();
            if (in->close() != 0 || readErrno != 0)
                base::msgWarn(base::cat("close ", id, ": ", std::strerror(readErrno ? readErrno : errno)));
        }
    } else {
        for (; optind < argc; ++optind) {
            auto in = InputStream::open(argv[optind]);
            if (!in) base::msgFatal(in.error().message);
            postcat.show(*in, false);
            int readErrno = in->readErrno();
            if (in->close() != 0 || readErrno != 0)
                base::msgWarn(base::cat("close ", argv[optind], ": ", std::strerror(readErrno ? readErrno : errno)));
        }
    }
    return 0;
}

}  // namespace postline::tools
