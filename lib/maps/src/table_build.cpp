// TableWriter: a table build as postmap(1)/postalias(1) run it (postmap/postmap.c,
// global/mkmap_open.c): type checks, identity and umask, open for rebuild or update,
// -F file-valued entries, progress, commit or abandon.
#include "postline/maps/table_build.h"

#include <cstring>

#include "postline/base/base64.h"
#include "postline/base/files.h"
#include "postline/base/msg.h"
#include "postline/base/strings.h"
#include "postline/maps/table_source.h"

namespace postline::maps {

base::Result<std::string> fileValueToBase64(std::string_view value) {
    std::string joined;
    bool first = true;
    for (std::string_view path : base::splitAny(value, ", \t\r\n")) {
        auto contents = base::readFile(std::string(path));
        if (!contents) return contents.error();
        if (!first) joined += '\n';
        joined += *contents;
        first = false;
    }
    return base::base64Encode(joined);
}

base::Result<std::unique_ptr<TableWriter>> TableWriter::open(const DictSpec& spec, const struct stat& source,
                                                             const BuildOptions& options, const OpenContext& context) {
    if (!options.incremental && spec.type == "proxy") return base::Error{"can't create maps via the proxy service"};
    std::unique_ptr<TableWriter> writer(new TableWriter());
    // The identity comes first: the table is created with the owner's ids and umask.
    auto identity = BuildIdentity::enter(source, options.savePermissions, options.asOwner);
    if (!identity) return identity.error();
    writer->identity_.emplace(std::move(*identity));
    if (base::Status s = checkBuildable(spec.type); !s) return s.error();
    uint32_t flags = options.dictFlags;
    if (!options.incremental) flags |= flag::kBulkUpdate;
    auto dict = openDict(spec, options.incremental ? OpenMode::Create : OpenMode::Rebuild, flags, context);
    if (!dict) return dict.error();
    writer->dict_ = std::move(*dict);
    writer->valueIsFile_ = options.valueIsFile;
    if (options.showProgress) writer->progress_.emplace(spec.name);
    return writer;
}

TableWriter::~TableWriter() {
    // An uncommitted rebuild is discarded by the Dict's destructor; the identity is
    // restored after that, so the temporary file is removed with the build's ids.
    dict_.reset();
    progress_.reset();
    identity_.reset();
}

base::Result<bool> TableWriter::add(std::string_view key, std::string_view value, std::string_view where) {
    std::string encoded;
    if (valueIsFile_) {
        auto b64 = fileValueToBase64(value);
        if (!b64) {
            base::msgWarn(base::cat(where, where.empty() ? "" : ": ", b64.error().message, ": skipping this entry"));
            return false;
        }
        encoded = std::move(*b64);
        value = encoded;
    }
    if (base::Status s = dict_->update(key, value); !s) {
        if (s.error().message.empty()) return base::Error{base::cat("table ", dict_->spec(), ": write error")};
        return s.error();
    }
    ++added_;
    if (progress_) progress_->tick();
    return true;
}

namespace {

// Physical lines of `text`: an upper bound of the records in it.
size_t countLines(std::string_view text) {
    size_t lines = 0;
    const char* p = text.data();
    const char* end = p + text.size();
    while (p < end && (p = static_cast<const char*>(std::memchr(p, '\n', size_t(end - p)))) != nullptr) {
        ++lines;
        ++p;
    }
    return lines + 1;
}

}  // namespace

base::Status TableWriter::addSource(std::string_view text, std::string_view sourceName) {
    dict_->expectEntries(countLines(text));
    return addRecords(text, sourceName, 0);
}

base::Status TableWriter::addSource(SourceReader& source, std::string_view sourceName) {
    dict_->expectEntries(source.estimatedLines());
    std::string_view text;
    int linesBefore = 0;
    for (;;) {
        auto more = source.next(text, linesBefore);
        if (!more) return more.error();
        if (!*more) return {};
        if (base::Status s = addRecords(text, sourceName, linesBefore); !s) return s;
    }
}

base::Status TableWriter::addRecords(std::string_view text, std::string_view sourceName, int linesBefore) {
    bool checkUtf8 = (dict_->flags() & flag::kUtf8Request) != 0;
    return forEachSourceRecord(
        text, sourceName, checkUtf8,
        [&](const SourceRecord& record, int lineno) -> base::Status {
            // "SOURCE, line N" is only ever shown for -F entries; not formatted otherwise.
            auto added =
                add(record.key, record.value, valueIsFile_ ? base::cat(sourceName, ", line ", lineno) : std::string());
            if (!added) return added.error();
            return {};
        },
        linesBefore);
}

base::Status TableWriter::commit() {
    if (committed_) return {};
    committed_ = true;
    base::Status s = dict_->close();
    if (progress_) progress_->done();
    identity_.reset();
    return s;
}

}  // namespace postline::maps
