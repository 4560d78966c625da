// The record types of Postfix's queue files, their names and the sets allowed in each
// segment. Mirrors Postfix 3.7's global/rec_type.h and global/rec_type.c.
#pragma once

#include <string_view>

namespace postline::queue::rec {

// What a reader returns besides a record type byte.
inline constexpr int kEof = -1;    // REC_TYPE_EOF: no more records
inline constexpr int kError = -2;  // REC_TYPE_ERROR: a malformed record

inline constexpr int kSize = 'C';        // first record: sizes and offsets (six fields)
inline constexpr int kTime = 'T';        // arrival time "SEC USEC"
inline constexpr int kCreateTime = 'c';  // queue file create time
inline constexpr int kFullName = 'F';    // sender full name
inline constexpr int kInspector = 'I';   // content inspector transport
inline constexpr int kFilter = 'L';      // content filter (envelope), same byte as kCont
inline constexpr int kFrom = 'S';        // sender
inline constexpr int kDone = 'D';        // delivered recipient
inline constexpr int kRcpt = 'R';        // recipient still to deliver
inline constexpr int kOrigRcpt = 'O';    // original recipient
inline constexpr int kCanceled = '/';    // canceled recipient
inline constexpr int kWarn = 'W';        // time of the next delay warning
inline constexpr int kAttr = 'A';        // named attribute "name=value"
inline constexpr int kKill = 'K';        // killed record
inline constexpr int kRedirect = '>';    // redirect target
inline constexpr int kFlags = 'f';       // cleanup processing flags
inline constexpr int kDelay = 'd';       // cleanup delay upon arrival
inline constexpr int kMesg = 'M';        // start of the message content
inline constexpr int kCont = 'L';        // a text line's piece without its newline
inline constexpr int kNorm = 'N';        // a text line (or its last piece)
inline constexpr int kPadding = 'w';     // padding (was: deleted data)
inline constexpr int kXtra = 'X';        // start of the extracted segment
inline constexpr int kReturnReceipt = 'r';
inline constexpr int kErrorsTo = 'e';
inline constexpr int kPriority = 'P';
inline constexpr int kPointer = 'p';  // continue reading at this offset ("%15ld"; 0: none)
inline constexpr int kVerp = 'V';     // VERP delimiters
inline constexpr int kDsnRet = '<';
inline constexpr int kDsnEnvid = 'i';
inline constexpr int kDsnOrcpt = 'o';
inline constexpr int kDsnNotify = 'n';
inline constexpr int kMilterCount = 'm';
inline constexpr int kEnd = 'E';  // the end record: a file without it is incomplete

// The records each segment may hold; the first one ends the segment
// (REC_TYPE_ENVELOPE, REC_TYPE_CONTENT, REC_TYPE_EXTRACT and postdrop's subsets).
inline constexpr std::string_view kEnvelopeTypes = "MCTcFILSDRO/WVA>K<ion";
inline constexpr std::string_view kContentTypes = "XLNw";
inline constexpr std::string_view kExtractTypes = "EDRO/PreAFIL>Kon";
inline constexpr std::string_view kPostEnvelopeTypes = "MFSRVAin";
inline constexpr std::string_view kPostContentTypes = "XLN";
inline constexpr std::string_view kPostExtractTypes = "EAR";

// Whether `type` belongs to `set`. Unlike Postfix's strchr() test, a NUL type byte is
// not a member (callers that must reproduce strchr()'s quirk check for 0 themselves).
bool inSet(std::string_view set, int type);

// The name postcat prints for a record type ("message_size", "named_attribute", ...);
// "unknown_record_type" for anything else. 'L' is "content_filter": the envelope
// meaning comes first in Postfix's table, so postcat shows an envelope 'L' by that name.
std::string_view typeName(int type);

// The fixed-width formats of records that are patched in place.
inline constexpr int kSizeFieldWidth = 15;      // each of the six kSize fields: "%15ld"
inline constexpr int kPointerPayloadSize = 15;  // kPointer and kWarn values: "%15ld"

}  // namespace postline::queue::rec
