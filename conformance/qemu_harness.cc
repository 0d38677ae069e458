// Copyright mtty-lab authors.
#include "conformance/qemu_harness.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "core/hex.h"

extern char** environ;

namespace mtty::conformance {
namespace {

bool IsExecutable(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
         ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

std::string FindQemu() {
  const char* env = std::getenv("MTTY_QEMU");
  if (env != nullptr && env[0] != '\0') {
    return IsExecutable(env) ? std::string(env) : std::string();
  }
  const char* kName = "qemu-system-x86_64";
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  path += ":/usr/bin:/usr/local/bin";
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t end = path.find(':', pos);
    if (end == std::string::npos) end = path.size();
    const std::string dir = path.substr(pos, end - pos);
    if (!dir.empty()) {
      const std::string candidate = dir + "/" + kName;
      if (IsExecutable(candidate)) return candidate;
    }
    pos = end + 1;
  }
  return "";
}

Result<std::unique_ptr<QemuQtest>> QemuQtest::Start(const Options& options) {
  const std::string binary =
      options.binary.empty() ? FindQemu() : options.binary;
  if (binary.empty() || !IsExecutable(binary)) return Status::Error(-ENOENT);

  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    return Status::Error(-errno);
  }
  std::vector<std::string> args = {
      binary,
      "-M",
      "pc",
      "-nodefaults",
      "-display",
      "none",
      "-accel",
      "tcg",
      "-S",
      "-qtest",
      "stdio",
      "-qtest-log",
      options.qtest_log,
      "-chardev",
      "null,id=c0",
      "-device",
      "isa-serial,iobase=" + Hex(kQemuUartBase[0], 3) +
          ",irq=" + std::to_string(kQemuUartIrq[0]) + ",chardev=c0",
      "-chardev",
      "null,id=c1",
      "-device",
      "isa-serial,iobase=" + Hex(kQemuUartBase[1], 3) +
          ",irq=" + std::to_string(kQemuUartIrq[1]) + ",chardev=c1",
  };
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
  posix_spawn_file_actions_adddup2(&fa, sv[1], 1);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int rc =
      ::posix_spawn(&pid, binary.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(sv[1]);
  if (rc != 0) {
    ::close(sv[0]);
    return Status::Error(-rc);
  }
  std::unique_ptr<QemuQtest> q(new QemuQtest());
  q->pid_ = pid;
  q->to_qemu_ = sv[0];
  q->from_qemu_ = sv[0];
  q->timeout_ = options.timeout;
  // Interrupt lines of the IOAPIC become "IRQ raise/lower N" messages.
  Result<std::vector<Reply>> r = q->Exchange({"irq_intercept_in ioapic"});
  if (!r.ok() || r->size() != 1 || !(*r)[0].ok) return Status::Error(-EIO);
  return q;
}

QemuQtest::~QemuQtest() {
  if (to_qemu_ >= 0) ::close(to_qemu_);
  if (pid_ <= 0) return;
  // SIGTERM makes QEMU shut down cleanly (flushing its qtest log); give it a
  // moment, then insist.
  ::kill(pid_, SIGTERM);
  int status = 0;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < deadline) {
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || (r < 0 && errno != EINTR)) return;
    ::usleep(1000);
  }
  ::kill(pid_, SIGKILL);
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

Result<std::vector<QemuQtest::Reply>> QemuQtest::Exchange(
    const std::vector<std::string>& commands) {
  std::string out;
  for (const std::string& c : commands) {
    out += c;
    out += '\n';
  }
  size_t sent = 0;
  std::vector<Reply> replies;
  replies.reserve(commands.size());
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  char buf[65536];
  while (replies.size() < commands.size()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return Status::Error(-ETIMEDOUT);
    const int wait_ms = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now)
            .count());
    struct pollfd pfd = {to_qemu_, POLLIN, 0};
    if (sent < out.size()) pfd.events |= POLLOUT;
    const int n = ::poll(&pfd, 1, wait_ms > 0 ? wait_ms : 1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Error(-errno);
    }
    if (n == 0) continue;
    if ((pfd.revents & POLLOUT) && sent < out.size()) {
      const ssize_t w = ::send(to_qemu_, out.data() + sent, out.size() - sent,
                               MSG_DONTWAIT | MSG_NOSIGNAL);
      if (w < 0 && errno != EAGAIN && errno != EINTR) {
        return Status::Error(-EPIPE);
      }
      if (w > 0) sent += static_cast<size_t>(w);
    }
    if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
      const ssize_t r = ::recv(from_qemu_, buf, sizeof(buf), MSG_DONTWAIT);
      if (r == 0) return Status::Error(-EIO);  // QEMU went away
      if (r < 0) {
        if (errno == EAGAIN || errno == EINTR) continue;
        return Status::Error(-EIO);
      }
      pending_.append(buf, static_cast<size_t>(r));
      size_t start = 0;
      for (;;) {
        const size_t nl = pending_.find('\n', start);
        if (nl == std::string::npos) break;
        std::string_view line(pending_.data() + start, nl - start);
        start = nl + 1;
        if (line.rfind("IRQ ", 0) == 0) {
          const bool raise = line.rfind("IRQ raise ", 0) == 0;
          const size_t sp = line.rfind(' ');
          const int irq = std::atoi(std::string(line.substr(sp + 1)).c_str());
          if (irq >= 0 && irq < 16) irq_[irq] = raise;
          continue;
        }
        Reply reply;
        reply.text = std::string(line);
        reply.ok = line.rfind("OK", 0) == 0;
        if (reply.ok && line.size() > 3) {
          reply.value =
              std::strtoull(std::string(line.substr(3)).c_str(), nullptr, 0);
        }
        reply.irq = irq_;
        replies.push_back(std::move(reply));
      }
      pending_.erase(0, start);
    }
  }
  return replies;
}

Status QemuQtest::Outb(uint16_t port, uint8_t value) {
  Result<std::vector<Reply>> r =
      Exchange({"outb " + Hex(port, 3) + " " + Hex(value, 2)});
  if (!r.ok()) return r.status();
  return (*r)[0].ok ? Status::Ok() : Status::Error(-EIO);
}

Result<uint8_t> QemuQtest::Inb(uint16_t port) {
  Result<std::vector<Reply>> r = Exchange({"inb " + Hex(port, 3)});
  if (!r.ok()) return r.status();
  if (!(*r)[0].ok) return Status::Error(-EIO);
  return static_cast<uint8_t>((*r)[0].value);
}

}  // namespace mtty::conformance
