// A private DNS server for hermetic tests: testdata/network/dns_server.py (Debian's
// python3-dnslib) on 127.0.0.1 and a free port, answering from a zone given as text,
// started in a temporary directory and stopped by its pid. Shared by unit_dns and
// unit_server.
#pragma once

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace postline::testing {

class TestDnsServer {
public:
    // Starts the server over `zone` (dns_server.py's format); ok() says whether it runs.
    explicit TestDnsServer(const std::string& zone) {
        char tmpl[] = "/tmp/postline-dns-XXXXXX";
        if (!mkdtemp(tmpl)) return;
        dir_ = tmpl;
        std::ofstream(dir_ + "/zone") << zone;
        std::string script = std::string(POSTLINE_TESTDATA) + "/network/dns_server.py";
        std::string zonePath = dir_ + "/zone", portPath = dir_ + "/port";
        pid_ = fork();
        if (pid_ == 0) {
            execl("/usr/bin/python3", "python3", script.c_str(), zonePath.c_str(), portPath.c_str(),
                  static_cast<char*>(nullptr));
            _exit(127);
        }
        for (int i = 0; i < 200 && pid_ > 0; ++i) {
            std::ifstream in(portPath);
            if (in >> port_) return;
            int status;
            if (waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    ~TestDnsServer() {
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            int status;
            waitpid(pid_, &status, 0);
        }
        if (!dir_.empty()) std::filesystem::remove_all(dir_);
    }
    TestDnsServer(const TestDnsServer&) = delete;
    TestDnsServer& operator=(const TestDnsServer&) = delete;

    bool ok() const { return pid_ > 0 && port_ > 0; }
    int port() const { return port_; }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
    // The queries answered so far, one "name TYPE" line each.
    std::string queries() const {
        std::ifstream in(dir_ + "/port.log");
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }

private:
    std::string dir_;
    pid_t pid_ = -1;
    int port_ = 0;
};

}  // namespace postline::testing
