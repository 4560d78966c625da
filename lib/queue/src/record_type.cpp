// Record type names and segment sets, after Postfix 3.7's global/rec_type.c.
#include "postline/queue/record_type.h"

namespace postline::queue::rec {
namespace {

struct TypeName {
    int type;
    std::string_view name;
};

// In Postfix's order: the first entry for a byte wins (REC_TYPE_FILT and REC_TYPE_CONT
// share 'L', and "content_filter" comes first).
constexpr TypeName kNames[] = {
    {kEof, "end-of-file"},
    {kError, "error"},
    {kSize, "message_size"},
    {kTime, "message_arrival_time"},
    {kCreateTime, "queue_file_create_time"},
    {kFullName, "sender_fullname"},
    {kInspector, "content_inspector"},
    {kFilter, "content_filter"},
    {kFrom, "sender"},
    {kDone, "done_recipient"},
    {kCanceled, "canceled_recipient"},
    {kRcpt, "recipient"},
    {kOrigRcpt, "original_recipient"},
    {kWarn, "warning_message_time"},
    {kAttr, "named_attribute"},
    {kPointer, "pointer_record"},
    {kKill, "killed_record"},
    {kMesg, "message_content"},
    {kCont, "unterminated_text"},
    {kNorm, "regular_text"},
    {kPadding, "padding"},
    {kXtra, "extracted_info"},
    {kReturnReceipt, "return_receipt"},
    {kErrorsTo, "errors_to"},
    {kPriority, "priority"},
    {kVerp, "verp_delimiters"},
    {kEnd, "message_end"},
    {kRedirect, "redirect_to"},
    {kFlags, "flags"},
    {kDsnRet, "dsn_return_flags"},
    {kDsnEnvid, "dsn_envelope_id"},
    {kDsnOrcpt, "dsn_original_recipient"},
    {kDsnNotify, "dsn_notify_flags"},
};

}  // namespace

bool inSet(std::string_view set, int type) {
    return type > 0 && type < 256 && set.find(static_cast<char>(type)) != std::string_view::npos;
}

std::string_view typeName(int type) {
    for (const auto& entry : kNames)
        if (entry.type == type) return entry.name;
    return "unknown_record_type";
}

}  // namespace postline::queue::rec
