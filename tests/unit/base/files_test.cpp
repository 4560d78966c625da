// Whole-file reads: readContents() on regular files (read into a buffer of the file's
// size), on pipes, from a non-zero offset, and FileContents adopting a string.
#include "postline/base/files.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace postline::base {
namespace {

std::string tempFileWith(const std::string& text) {
    char path[] = "/tmp/postline-files-test-XXXXXX";
    int fd = ::mkstemp(path);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(::write(fd, text.data(), text.size()), ssize_t(text.size()));
    ::close(fd);
    return path;
}

TEST(ReadContents, ReadsARegularFileWhole) {
    std::string text(200000, 'x');
    text += "\nlast line without newline";
    std::string path = tempFileWith(text);
    int fd = ::open(path.c_str(), O_RDONLY);
    auto contents = readContents(fd);
    ::close(fd);
    ::unlink(path.c_str());
    ASSERT_TRUE(contents.ok());
    EXPECT_EQ(contents->view(), text);
    EXPECT_EQ(contents->size(), text.size());
}

TEST(ReadContents, StartsAtTheCurrentOffset) {
    std::string path = tempFileWith("skip me|the rest");
    int fd = ::open(path.c_str(), O_RDONLY);
    ASSERT_EQ(::lseek(fd, 8, SEEK_SET), 8);
    auto contents = readContents(fd);
    ::close(fd);
    ::unlink(path.c_str());
    ASSERT_TRUE(contents.ok());
    EXPECT_EQ(contents->view(), "the rest");
}

TEST(ReadContents, ReadsEmptyFilesAndPipes) {
    std::string path = tempFileWith("");
    int fd = ::open(path.c_str(), O_RDONLY);
    auto empty = readContents(fd);
    ::close(fd);
    ::unlink(path.c_str());
    ASSERT_TRUE(empty.ok());
    EXPECT_EQ(empty->view(), "");

    int pipefd[2];
    ASSERT_EQ(::pipe(pipefd), 0);
    ASSERT_EQ(::write(pipefd[1], "a b\n", 4), 4);
    ::close(pipefd[1]);
    auto piped = readContents(pipefd[0]);
    ::close(pipefd[0]);
    ASSERT_TRUE(piped.ok());
    EXPECT_EQ(piped->view(), "a b\n");
}

TEST(FileContents, AdoptsAString) {
    FileContents contents;
    EXPECT_EQ(contents.view(), "");
    contents = std::string("from stdin\n");
    std::string_view view = contents;
    EXPECT_EQ(view, "from stdin\n");
}

}  // namespace
}  // namespace postline::base
