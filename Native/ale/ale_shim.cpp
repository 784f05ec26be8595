// pixel-dqn's C face of the Arcade Learning Environment: the few calls the Swift pipeline makes,
// as extern "C" functions that never let a C++ exception cross into Swift. Scripts/setup-ale.sh
// compiles this file with ALE's static library into one shared library, which
// Sources/PixelDQN/Atari/ALELibrary.swift loads with dlopen when an Atari task is first used.
// Everything else (preprocessing, episodes, checkpoints) is Swift.
#include <ale/ale_interface.hpp>
#include <ale/common/Log.hpp>

#include <cstdint>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

namespace {

struct Handle {
    ale::ALEInterface ale;
    std::vector<unsigned char> buffer;
};

void copyMessage(const std::string &text, char *out, int capacity) {
    if (out == nullptr || capacity <= 0) return;
    std::strncpy(out, text.c_str(), static_cast<size_t>(capacity) - 1);
    out[capacity - 1] = '\0';
}

} // namespace

extern "C" {

/// The version of this shim's interface; the Swift side refuses a library of another version.
int pdq_ale_abi_version(void) { return 1; }

/// Loads `rom_path` into a new emulator with ALE's `random_seed`, the probability of repeating
/// the previous action (0 for NoFrameskip-v4, 0.25 for v5) and the episode's frame cap (108,000
/// as Gymnasium sets it; 0 for none). Returns NULL and a message in `error` on failure.
void *pdq_ale_create(const char *rom_path, int random_seed, float repeat_action_probability,
                     int max_frames_per_episode, char *error, int error_capacity) {
    try {
        ale::Logger::setMode(ale::Logger::Error);
        auto *h = new Handle();
        h->ale.setFloat("repeat_action_probability", repeat_action_probability);
        if (max_frames_per_episode > 0) h->ale.setInt("max_num_frames_per_episode", max_frames_per_episode);
        h->ale.setInt("random_seed", random_seed);
        try {
            h->ale.loadROM(rom_path);
        } catch (...) {
            delete h;
            throw;
        }
        return h;
    } catch (const std::exception &e) {
        copyMessage(e.what(), error, error_capacity);
    } catch (...) {
        copyMessage("unknown error in ALE", error, error_capacity);
    }
    return nullptr;
}

void pdq_ale_destroy(void *handle) { delete static_cast<Handle *>(handle); }

/// Writes up to `capacity` ALE action codes of the game's minimal action set; returns their count.
int pdq_ale_minimal_actions(void *handle, int *out, int capacity) {
    auto *h = static_cast<Handle *>(handle);
    ale::ActionVect actions = h->ale.getMinimalActionSet();
    int n = static_cast<int>(actions.size());
    for (int i = 0; i < n && i < capacity; ++i) out[i] = static_cast<int>(actions[i]);
    return n;
}

/// One emulator frame with ALE action code `action`; returns the game's reward.
int pdq_ale_act(void *handle, int action) {
    auto *h = static_cast<Handle *>(handle);
    return static_cast<int>(h->ale.act(static_cast<ale::Action>(action)));
}

int pdq_ale_game_over(void *handle) { return static_cast<Handle *>(handle)->ale.game_over(false) ? 1 : 0; }
int pdq_ale_game_truncated(void *handle) { return static_cast<Handle *>(handle)->ale.game_truncated() ? 1 : 0; }
int pdq_ale_lives(void *handle) { return static_cast<Handle *>(handle)->ale.lives(); }
int pdq_ale_episode_frame_number(void *handle) { return static_cast<Handle *>(handle)->ale.getEpisodeFrameNumber(); }
void pdq_ale_reset_game(void *handle) { static_cast<Handle *>(handle)->ale.reset_game(); }

int pdq_ale_screen_width(void *handle) {
    return static_cast<int>(static_cast<Handle *>(handle)->ale.getScreen().width());
}
int pdq_ale_screen_height(void *handle) {
    return static_cast<int>(static_cast<Handle *>(handle)->ale.getScreen().height());
}

/// The screen as ALE's gray levels, height × width bytes, row-major.
void pdq_ale_screen_gray(void *handle, unsigned char *out) {
    auto *h = static_cast<Handle *>(handle);
    h->ale.getScreenGrayscale(h->buffer);
    std::memcpy(out, h->buffer.data(), h->buffer.size());
}

/// The screen in colour, height × width × 3 bytes (R, G, B per pixel), row-major.
void pdq_ale_screen_rgb(void *handle, unsigned char *out) {
    auto *h = static_cast<Handle *>(handle);
    h->ale.getScreenRGB(h->buffer);
    std::memcpy(out, h->buffer.data(), h->buffer.size());
}

/// The emulator's whole state with its random generator (for checkpoints): returns the size of
/// the serialized state and copies it into `out` when it fits `capacity`.
int pdq_ale_clone_state(void *handle, unsigned char *out, int capacity) {
    auto *h = static_cast<Handle *>(handle);
    std::string state = h->ale.cloneState(true).serialize();
    int n = static_cast<int>(state.size());
    if (out != nullptr && n <= capacity) std::memcpy(out, state.data(), state.size());
    return n;
}

/// Restores a state from `pdq_ale_clone_state`; 0 on success, -1 (and a message) on failure.
int pdq_ale_restore_state(void *handle, const unsigned char *bytes, int count, char *error, int error_capacity) {
    auto *h = static_cast<Handle *>(handle);
    try {
        ale::ALEState state(std::string(reinterpret_cast<const char *>(bytes), static_cast<size_t>(count)));
        h->ale.restoreState(state);
        return 0;
    } catch (const std::exception &e) {
        copyMessage(e.what(), error, error_capacity);
    } catch (...) {
        copyMessage("unknown error in ALE", error, error_capacity);
    }
    return -1;
}

} // extern "C"
