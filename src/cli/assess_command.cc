// `backaid assess`: the question-by-question assessment in the terminal, or
// non-interactively from answers (--answers) or a case (--case). This file
// only asks, decodes and lays out; the questions, findings and decisions
// come from the core (backaid/assess.h) and the knowledge base.
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "backaid/assess.h"
#include "backaid/case_json.h"
#include "backaid/engine.h"
#include "backaid/plan.h"
#include "backaid/report.h"
#include "src/cli/commands.h"

namespace backaid::cli {
namespace {

constexpr size_t kWidth = 78;  // fits an 80-column terminal

volatile sig_atomic_t g_interrupted = 0;

void OnInterrupt(int) { g_interrupted = 1; }

// Reads the person's answers from standard input, line by line, while a
// Ctrl-C (SIGINT) may come at any moment. SIGINT is blocked except while
// waiting in ppoll(), which unblocks it atomically: a Ctrl-C typed while the
// program is printing stays pending and ends the next wait, so it is never
// lost (with a plain blocking read it would be, until the next Enter).
// Restores the signal mask and the old handler when destroyed. Standard
// input is made non-blocking only for the instant of each read.
class LineReader {
 public:
  enum class Got { kLine, kEnd, kInterrupted };

  LineReader() {
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_handler = OnInterrupt;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: the wait returns EINTR
    sigaction(SIGINT, &sa, &old_action_);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigprocmask(SIG_BLOCK, &block, &old_mask_);
    wait_mask_ = old_mask_;
    sigdelset(&wait_mask_, SIGINT);
    g_interrupted = 0;
  }
  ~LineReader() {
    sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
    sigaction(SIGINT, &old_action_, nullptr);
  }
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next line without its newline; kEnd at end of input (a last line
  // without a newline is still returned first); kInterrupted after Ctrl-C.
  Got Read(std::string* line) {
    std::cout.flush();
    for (;;) {
      if (g_interrupted) return Got::kInterrupted;
      const size_t newline = buffer_.find('\n');
      if (newline != std::string::npos || buffer_.size() >= kMaxLine ||
          (end_ && !buffer_.empty())) {
        const size_t n =
            newline == std::string::npos ? buffer_.size() : newline;
        line->assign(buffer_, 0, n);
        buffer_.erase(0, std::min(buffer_.size(), n + 1));
        return Got::kLine;
      }
      if (end_) return Got::kEnd;
      pollfd in{STDIN_FILENO, POLLIN, 0};
      if (ppoll(&in, 1, nullptr, &wait_mask_) < 0) {
        if (errno != EINTR) end_ = true;
        continue;
      }
      // Non-blocking for this one read: a Ctrl-C between ppoll() and here
      // flushes the terminal's input, and a blocking read (SIGINT blocked)
      // would then wait for a line that never comes. EAGAIN goes back to
      // ppoll(), where the pending SIGINT is taken.
      char chunk[4096];
      const int flags = fcntl(STDIN_FILENO, F_GETFL);
      if (flags >= 0 && !(flags & O_NONBLOCK))
        fcntl(STDIN_FILENO, F_SETFL, flags | O_NONBLOCK);
      const ssize_t got = ::read(STDIN_FILENO, chunk, sizeof chunk);
      const int read_errno = errno;
      if (flags >= 0 && !(flags & O_NONBLOCK))
        fcntl(STDIN_FILENO, F_SETFL, flags);
      if (got > 0) {
        buffer_.append(chunk, static_cast<size_t>(got));
      } else if (got == 0 || (read_errno != EINTR && read_errno != EAGAIN)) {
        end_ = true;  // end of input, or a terminal that went away (EIO)
      }
    }
  }

 private:
  static constexpr size_t kMaxLine = 64 * 1024;  // longer: cut, then refused
  struct sigaction old_action_;
  sigset_t old_mask_;
  sigset_t wait_mask_;
  std::string buffer_;
  bool end_ = false;
};

struct Style {
  bool color = false;
  std::string Bold(std::string_view s) const {
    return color ? fmt::format("\033[1m{}\033[0m", s) : std::string(s);
  }
  std::string Dim(std::string_view s) const {
    return color ? fmt::format("\033[2m{}\033[0m", s) : std::string(s);
  }
  std::string Level(TriageLevel l, std::string_view s) const {
    if (!color) return std::string(s);
    const char* code = l == TriageLevel::kEmergency ? "1;37;41"
                       : l == TriageLevel::kUrgent  ? "1;33"
                       : l == TriageLevel::kRoutine ? "1;36"
                                                    : "1;32";
    return fmt::format("\033[{}m{}\033[0m", code, s);
  }
};

void Wrap(std::string_view first, std::string_view indent,
          std::string_view text, std::string* out) {
  AppendWrapped(first, indent, text, kWidth, out);
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

// The result for a person: the report's text for them (report.h), with
// the level's lines coloured on a terminal.
std::string RenderPerson(const KnowledgeBase& kb, const Case& c,
                         const TriageResult& r, const CarePlan* plan,
                         const std::string& region, bool md, const Style& style,
                         const std::vector<std::pair<std::string, Reply>>& a) {
  // After the questions, only those answered "not sure" are open (the
  // others were skipped because they could not apply); for a case given
  // as findings, every open question.
  std::vector<std::string> unsure;
  for (const auto& [id, reply] : a) {
    for (const std::string& o : reply.options)
      if (o == kNotSure) unsure.push_back(id);
  }
  std::string out;
  AppendPersonText(
      kb, c, r, plan, region, md,
      [&style](TriageLevel l, std::string_view text) {
        return style.Level(l, text);
      },
      a.empty() ? nullptr : &unsure, &out);
  return out;
}

std::string RenderJson(const KnowledgeBase& kb, const Case& c,
                       const TriageResult& r, const CarePlan* plan,
                       const std::vector<std::pair<std::string, Reply>>& a,
                       const std::string& number, const std::string& region) {
  std::string out = "{\"answers\":";
  AppendAnswersJson(a, &out);
  out += ",\"findings\":";
  AppendFindingsJson(kb, c, &out);
  out += ",\"triage\":";
  AppendResultJson(kb, c, r, &out, ResultDetail::kFull, region);
  out += ",\"plan\":";
  if (plan != nullptr) {
    AppendPlanJson(*plan, &out);
  } else {
    out += "null";
  }
  out += ",\"emergency_number\":";
  AppendJsonString(number, &out);
  out += ",\"call_script\":";
  AppendCallScriptJson(CallHandlerScript(kb, c, r, region), &out);
  out += "}\n";
  return out;
}

// Triages `c` and prints the result in `format`. Returns the exit status.
int Report(const KnowledgeBase& kb, const Case& c,
           const std::vector<std::pair<std::string, Reply>>& answers,
           const std::string& format, const std::string& region,
           const Style& style) {
  const std::string number = EmergencyNumber(kb, region);
  const TriageResult r = Evaluate(kb, c);
  auto plan = BuildCarePlan(kb, c, r, region);
  if (!plan.ok()) {
    std::cerr << "backaid assess: no care plan: " << plan.status().message()
              << "\n";
  }
  const CarePlan* p = plan.ok() ? &*plan : nullptr;
  std::cout << (format == "json"
                    ? RenderJson(kb, c, r, p, answers, number, region)
                    : RenderPerson(kb, c, r, p, region, format == "markdown",
                                   style, answers));
  std::cout.flush();
  return 0;
}

std::string Trim(std::string s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r\n");
  s = s.substr(b, e - b + 1);
  for (char& ch : s)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  return s;
}

// Strips the "question 'id': " prefix of a core error for the person.
std::string Plain(const std::string& message) {
  const size_t p = message.find("': ");
  return p == std::string::npos ? message : message.substr(p + 3);
}

// A screen's questions are asked one after another under one step
// ("Step 2 of about 11"); each says which of the step's questions it is.
void ShowQuestion(const Assessment& a, const Question& q, size_t k, size_t n,
                  const Style& st) {
  std::string out = "\n";
  const Progress p = a.progress();
  out +=
      st.Dim(fmt::format(
          "Step {} of about {}{} - {}", p.screens_answered + 1, p.screens_about,
          n > 1 ? fmt::format(", question {} of {}", k + 1, n) : std::string(),
          q.section_title)) +
      "\n";
  std::string text;
  Wrap("", "", q.text, &text);
  out += st.Bold(text.substr(0, text.size() - 1)) + "\n";
  if (q.kind == QuestionKind::kNumber) {
    Wrap("", "",
         fmt::format("Type a number from {} to {}{}, or u if you are not "
                     "sure.",
                     q.min, q.max, q.unit.empty() ? "" : " (" + q.unit + ")"),
         &out);
  } else {
    for (size_t i = 0; i < q.options.size(); ++i) {
      Wrap(fmt::format("  {:>2}) ", i + 1), "      ", q.options[i].label, &out);
    }
    if (q.kind == QuestionKind::kChecklist) {
      out += "Type the numbers of all that apply, e.g. 1 3\n";
    }
  }
  out += st.Dim("? = help   b = back   q = quit") + "\n> ";
  std::cout << out << std::flush;
}

// Turns what the person typed into a reply; false with `error` set when it
// is not a valid choice.
bool ParseReply(const Question& q, const std::string& line, Reply* reply,
                std::string* error) {
  if (q.kind == QuestionKind::kNumber) {
    if (line == "u") {
      *reply = Reply::NotSure();
      return true;
    }
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(line.c_str(), &end);
    if (line.empty() || errno != 0 || end != line.c_str() + line.size()) {
      *error = fmt::format("Please type a number from {} to {}, or u.", q.min,
                           q.max);
      return false;
    }
    *reply = Reply::Number(v);
    return true;
  }
  std::vector<std::string> ids;
  std::string token;
  std::istringstream in(line);
  std::string spaced = line;
  for (char& ch : spaced)
    if (ch == ',') ch = ' ';
  in.str(spaced);
  while (in >> token) {
    char* end = nullptr;
    const long n = std::strtol(token.c_str(), &end, 10);
    if (end != token.c_str() + token.size() || n < 1 ||
        n > static_cast<long>(q.options.size())) {
      *error =
          fmt::format("Please type a number from 1 to {}.", q.options.size());
      return false;
    }
    ids.push_back(q.options[n - 1].id);
  }
  if (ids.empty()) {
    *error =
        fmt::format("Please type a number from 1 to {}.", q.options.size());
    return false;
  }
  if (q.kind == QuestionKind::kSingle && ids.size() != 1) {
    *error = "Please pick just one answer.";
    return false;
  }
  *reply = Reply::Options(std::move(ids));
  return true;
}

int RunInteractive(std::shared_ptr<const KnowledgeBase> kb,
                   const std::string& format, const std::string& region,
                   const Style& st) {
  const std::string number = EmergencyNumber(*kb, region);
  auto started = Assessment::Start(kb);
  if (!started.ok()) {
    std::cerr << "backaid assess: " << started.status().message() << "\n";
    return 2;
  }
  Assessment& a = *started;
  LineReader input;
  std::string intro;
  intro += st.Bold("backaid: back pain check") + "\n";
  // That backaid is not a diagnosis is said once, in the result.
  intro += st.Level(TriageLevel::kEmergency,
                    fmt::format("If you are in danger or very unwell right "
                                "now, call {}.",
                                number)) +
           "\n";
  Wrap("", "",
       "Answer by typing the number of your choice and pressing Enter. If "
       "you don't know, choose \"I'm not sure\": that is never taken as "
       "\"no\".",
       &intro);
  std::cout << intro << std::flush;
  // A screen at a time: its answers are checked as they are typed and
  // given to the core together (AnswerScreen).
  for (std::vector<const Question*> screen = a.NextScreen(); !screen.empty();
       screen = a.NextScreen()) {
    std::vector<Reply> replies;
    while (replies.size() < screen.size()) {
      const size_t k = replies.size();
      // The question in the person's regional words (RegionText).
      const Question shown = QuestionInRegion(*kb, region, *screen[k]);
      const Question* q = &shown;
      ShowQuestion(a, *q, k, screen.size(), st);
      std::string line;
      const LineReader::Got got = input.Read(&line);
      if (got != LineReader::Got::kLine) {
        const bool interrupted = got == LineReader::Got::kInterrupted;
        std::cout << "\n";
        std::cerr << fmt::format(
            "{}. No advice was given. If you are worried, call {} or see a "
            "doctor.\n",
            interrupted ? "Stopped (Ctrl-C)" : "Stopped: no more input",
            number);
        return interrupted ? 130 : 1;
      }
      line = Trim(line);
      if (line == "?" || line == "h" || line == "help") {
        std::string help;
        Wrap("Help: ", "      ",
             q->help.empty() ? "Pick the answer that fits best. If you "
                               "don't know, pick \"I'm not sure\"."
                             : q->help,
             &help);
        std::cout << help;
        continue;
      }
      if (line == "b" || line == "back") {
        if (k > 0) {
          replies.pop_back();
        } else if (!a.Back()) {
          std::cout << "This is the first question.\n";
        } else {
          break;  // the step before, asked again from its first question
        }
        continue;
      }
      if (line == "q" || line == "quit") {
        std::cerr << fmt::format(
            "You stopped the assessment. No advice was given. If you are "
            "worried, call {} or see a doctor.\n",
            number);
        return 1;
      }
      Reply reply;
      std::string error;
      if (!ParseReply(*q, line, &reply, &error)) {
        std::cout << error << "\n";
        continue;
      }
      if (const Status s = a.CheckReply(q->id, reply); !s.ok()) {
        std::string msg = Plain(s.message());
        if (!msg.empty()) msg[0] = static_cast<char>(std::toupper(msg[0]));
        std::cout << msg << "\n";
        continue;
      }
      replies.push_back(std::move(reply));
    }
    if (replies.size() < screen.size()) continue;  // went back a step
    if (const Status s = a.AnswerScreen(replies); !s.ok()) {
      // Not expected (every reply was checked): say so and ask again.
      std::cout << Plain(s.message()) << "\n";
    }
  }
  std::cout << "\n";
  if (a.result().level == TriageLevel::kEmergency) {
    std::cout << st.Level(
                     TriageLevel::kEmergency,
                     fmt::format("STOP: this needs help now. Call {}.", number))
              << "\n\n";
  } else {
    std::cout << "Thank you. Here is your result.\n\n";
  }
  return Report(*kb, a.current_case(), a.answers(), format, region, st);
}

}  // namespace

void RegisterAssessCommand(CLI::App& app, CommandContext ctx) {
  auto* cmd = app.add_subcommand(
      "assess",
      "Ask the questions a step at a time and say what to do (interactive), or "
      "assess answers (--answers) or a case (--case) without asking.");
  struct Options {
    std::string answers, case_file, format = "text", region;
  };
  auto opts = std::make_shared<Options>();
  cmd->add_option("--answers", opts->answers,
                  "JSON object: question id -> option id, list of option "
                  "ids, or number");
  cmd->add_option("--case", opts->case_file,
                  "A case as in case-format.md (one JSON object)");
  cmd->add_option("--format", opts->format, "text, json or markdown")
      ->check(CLI::IsMember({"text", "json", "markdown"}))
      ->capture_default_str();
  cmd->add_option("--region", opts->region,
                  "Where you are, for the emergency number: a region of the "
                  "knowledge base (knowledge/regions.yaml; by default its "
                  "default region)");
  cmd->callback([ctx, opts] {
    int& exit_code = *ctx.exit_code;
    if (!opts->answers.empty() && !opts->case_file.empty()) {
      std::cerr << "backaid assess: give --answers or --case, not both\n";
      exit_code = 2;
      return;
    }
    auto kb = LoadKnowledgeBaseOrReport(*ctx.kb_dir);
    if (!kb) {
      exit_code = 2;
      return;
    }
    Style style;
    const char* no_color = std::getenv("NO_COLOR");
    style.color = ::isatty(STDOUT_FILENO) &&
                  (no_color == nullptr || no_color[0] == '\0') &&
                  opts->format == "text";
    std::string known;
    bool listed = false;
    for (const Region& r : Regions(*kb)) {
      if (opts->region.empty() && r.is_default) opts->region = r.id;
      known +=
          (known.empty() ? "" : ", ") + r.id + " (" + r.emergency_number + ")";
      listed = listed || r.id == opts->region;
    }
    if (!listed && !known.empty()) {
      std::cerr << fmt::format(
          "backaid assess: --region: '{}' is not a region of the knowledge "
          "base ({})\n",
          opts->region, known);
      exit_code = 2;
      return;
    }
    try {
      if (!opts->answers.empty() || !opts->case_file.empty()) {
        const std::string& path =
            opts->answers.empty() ? opts->case_file : opts->answers;
        std::string text;
        if (!ReadFile(path, &text)) {
          std::cerr << fmt::format("backaid assess: cannot read '{}'\n", path);
          exit_code = 2;
          return;
        }
        if (!opts->answers.empty()) {
          auto answered = CaseFromAnswers(*kb, text);
          if (!answered.ok()) {
            std::cerr << fmt::format("backaid assess: {}: {}\n", path,
                                     answered.status().message());
            exit_code = 1;
            return;
          }
          exit_code = Report(*kb, answered->c, answered->answers, opts->format,
                             opts->region, style);
          return;
        }
        CaseReader reader(*kb);
        Case c = kb->NewCase();
        const size_t b = text.find_first_not_of(" \t\r\n");
        const size_t e = text.find_last_not_of(" \t\r\n");
        const std::string_view json =
            b == std::string::npos
                ? std::string_view()
                : std::string_view(text).substr(b, e - b + 1);
        const Status s = reader.Read(json, &c);
        if (!s.ok()) {
          std::cerr << fmt::format("backaid assess: {}: {}\n", path,
                                   s.message());
          exit_code = 1;
          return;
        }
        exit_code = Report(*kb, c, {}, opts->format, opts->region, style);
        return;
      }
      exit_code = RunInteractive(kb, opts->format, opts->region, style);
    } catch (const std::exception& e) {
      std::cerr << "backaid assess: " << e.what() << "\n";
      exit_code = 2;
    }
  });
}

}  // namespace backaid::cli
