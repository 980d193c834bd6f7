// Benchmarks for the triage engine and the batch path ("engine fast",
// "batch speed"). See bench/README.md for what each one measures.
//
// The yardstick is a hand-written C++ transcription of knowledge/rules/*.yaml
// with the engine's three-valued semantics: plain if-statements over
// c.values[...], finding ids resolved once at setup. It is the speed floor
// the data-driven engine is compared with. Before any benchmark runs, main()
// checks that the yardstick and backaid::Evaluate agree on every vignette and
// on 200,000 random cases; if the rules YAML changes and the yardstick is not
// updated to match, the program prints the disagreement and exits with 1.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "backaid/case.h"
#include "backaid/case_json.h"
#include "backaid/engine.h"
#include "backaid/knowledge_base.h"
#include "src/engine/engine_internal.h"

#ifndef BACKAID_SOURCE_DIR
#error "BACKAID_SOURCE_DIR must be defined (see CMakeLists.txt)"
#endif

namespace {

using backaid::Case;
using backaid::FindingSet;
using backaid::KnowledgeBase;
using backaid::kUnknown;
using backaid::TriageLevel;
using backaid::TriageResult;

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "engine_bench: %s\n", message.c_str());
  std::exit(1);
}

// ---------------------------------------------------------------------------
// The yardstick.
// ---------------------------------------------------------------------------

// Every finding a rule or the not_assessed list mentions. Resolved by key at
// setup (FindingIds::Resolve); the rules below index c.values with them.
// clang-format off
#define YARDSTICK_FINDINGS(X)                                                 \
  X(age) X(sex) X(onset_days) X(onset_sudden) X(onset_with_movement)          \
  X(onset_during_exertion_or_sport) X(onset_gradual) X(significant_trauma)    \
  X(minor_trauma) X(previous_episodes_6_months) X(self_care_days)             \
  X(improving) X(worsening) X(pain_score) X(pain_severe)                      \
  X(pain_uncontrolled) X(thoracic_pain) X(pain_constant_unrelenting)          \
  X(night_pain) X(leg_pain) X(pain_below_knee) X(pain_worse_cough_sneeze)     \
  X(pain_worse_with_movement) X(flank_pain) X(flank_pain_colicky)             \
  X(pain_radiates_groin) X(abdominal_pain) X(right_upper_abdominal_pain)      \
  X(pain_after_fatty_meal) X(pulsating_abdominal_mass) X(chest_pain)          \
  X(morning_stiffness_over_30_min) X(improves_with_exercise)                  \
  X(not_improved_by_rest) X(rom_limitation) X(local_tenderness)               \
  X(muscle_spasm) X(midline_spinal_tenderness)                                \
  X(straight_leg_raise_positive) X(reflex_reduced)                            \
  X(local_swelling_heat_redness) X(spinal_deformity) X(leg_weakness)          \
  X(heel_walk) X(toe_walk) X(foot_drop) X(weakness_progressing)               \
  X(leg_numbness_tingling) X(saddle_numbness) X(bladder_dysfunction)          \
  X(bowel_dysfunction) X(sexual_dysfunction_new) X(gait_disturbance)          \
  X(neurogenic_claudication) X(arm_symptoms) X(one_sided_weakness)            \
  X(speech_disturbance) X(confusion_or_drowsiness) X(neck_stiffness)          \
  X(headache) X(fever) X(temperature_c) X(chills_or_rigors) X(heart_rate)     \
  X(systolic_bp) X(shortness_of_breath) X(fatigue) X(feeling_very_unwell)     \
  X(unexplained_weight_loss) X(history_of_cancer) X(immunosuppressed)         \
  X(long_term_steroids) X(osteoporosis) X(osteoporosis_risk_factors)          \
  X(diabetes) X(iv_drug_use) X(recent_infection) X(recent_spinal_procedure)   \
  X(recurrent_infections) X(related_inflammatory_conditions)                  \
  X(excessive_thirst_or_urination) X(urinary_symptoms) X(blood_in_urine)      \
  X(nausea_vomiting) X(fainting) X(known_aortic_aneurysm)                     \
  X(high_blood_pressure) X(vascular_risk_factors) X(smoker) X(jaundice)       \
  X(pregnant) X(pregnancy_weeks) X(vaginal_bleeding)                          \
  X(pregnancy_contractions) X(reduced_fetal_movements)                        \
  X(paracetamol_overuse) X(previous_similar_episodes)                         \
  X(pain_worse_leaning_back) X(walking_limited_by_pain) X(unsure_ces_check)   \
  X(other_pain_neck_shoulder) X(fear_of_movement) X(worry_a_lot)              \
  X(pain_never_better) X(low_mood_lately) X(pain_very_bothersome)
// clang-format on

struct FindingIds {
#define YARDSTICK_DECLARE(name) int name = -1;
  YARDSTICK_FINDINGS(YARDSTICK_DECLARE)
#undef YARDSTICK_DECLARE
};
FindingIds F;

// Findings marked red_flag: true in knowledge/findings.yaml.
// clang-format off
const char* const kRedFlagKeys[] = {
    "significant_trauma", "minor_trauma", "pain_uncontrolled", "thoracic_pain",
    "pain_constant_unrelenting", "night_pain", "flank_pain_colicky",
    "abdominal_pain", "right_upper_abdominal_pain", "pulsating_abdominal_mass",
    "chest_pain", "local_swelling_heat_redness", "spinal_deformity",
    "leg_weakness", "heel_walk", "toe_walk", "foot_drop",
    "weakness_progressing", "leg_numbness_tingling", "saddle_numbness",
    "bladder_dysfunction", "bowel_dysfunction", "sexual_dysfunction_new",
    "gait_disturbance", "arm_symptoms",
    "one_sided_weakness", "speech_disturbance", "confusion_or_drowsiness",
    "neck_stiffness", "headache", "fever", "chills_or_rigors",
    "shortness_of_breath", "feeling_very_unwell", "unexplained_weight_loss",
    "history_of_cancer", "immunosuppressed", "long_term_steroids",
    "osteoporosis", "iv_drug_use", "recent_infection",
    "recent_spinal_procedure", "urinary_symptoms", "blood_in_urine",
    "fainting", "known_aortic_aneurysm", "jaundice", "vaginal_bleeding",
    "pregnancy_contractions", "reduced_fetal_movements",
    "paracetamol_overuse"};
// clang-format on
FindingSet red_flag_mask;

// Encoded enum values (checked against the knowledge base at setup).
constexpr int32_t kSexMale = 1;  // female, male, other
constexpr int32_t kSideNone = 0, kSideOne = 1, kSideBoth = 2;
constexpr int32_t kRomSevere = 2;                  // none, mild, severe
constexpr int32_t kWalkWeak = 1, kWalkUnable = 2;  // normal, weak, unable
// Numbers carry one decimal place (scale 10).
constexpr int32_t kTemp35_0 = 350, kTemp38_0 = 380, kTemp39_1 = 391;

// clang-format off
enum RuleTag : int {
  // course.yaml
  kSpasmMechanicalPattern, kCourseNotSettling, kOutlookPoorOutcomeRisk,
  kCoursePersistent, kCourseWorsening, kCourseRecurrent, kPainUncontrolled,
  kPainVerySevere, kAgeOlderFirstEpisode, kAgeChild,
  kHistoryRecentSpinalProcedure,
  // lookalikes.yaml
  kKidneyStoneColic, kKidneyStoneWithFever, kKidneyStoneUncontrolled,
  kKidneyStoneOlderAaaCheck, kKidneyFlankAndBellyPain, kKidneyBloodInUrine,
  kKidneyInfection, kKidneyInfectionPossible, kKidneyUrinarySymptoms,
  kKidneyFlankPain, kGallbladderBiliaryPain, kGallbladderCholangitis,
  kGallbladderRuqPain, kAbdomenPain, kAaaRuptureSigns, kAaaKnownAneurysm,
  kAaaKnownAneurysmMechanical, kAaaSuddenSevereOlder, kAaaAtRiskBellyPain,
  kAortaDissection, kAortaAbruptSeverePain, kHeartAbruptThoracicPain,
  kAaaAbruptSeverePain, kAortaSuddenPainNeuroDeficit,
  kHeartThoracicVascularRisk, kHeartChestPain,
  kHeartThoracicWithBreathlessness, kPainThoracic, kPainThoracicMechanical,
  kBreathingShortnessOfBreath, kMeningitisSigns, kCirculationFainting,
  kVitalsRedScore, kVitalsAbnormal, kGeneralVeryUnwell,
  kPregnancyWarningSigns, kPregnancyKidneyInfectionUnwell, kPregnancyHeadache,
  kPregnancyInfectionOrSevere, kPregnancyPelvicGirdlePain,
  kPregnancyPossibleBleeding, kBleedingVaginal, kMedicineParacetamolOveruse,
  kMedicineParacetamolOveruseSymptoms, kGeneralThirst,
  // nerves.yaml
  kCesBladderBowel, kCesSaddleOrSexual, kCesBilateralWeakness,
  kCesBilateralLegSymptoms, kCesScreenUnsure, kNeuroGaitDisturbance,
  kNeuroProgressingDeficit, kNeuroStrokeSigns, kNeuroConfusion,
  kRadicMotorDeficit, kRadicArmSymptoms, kRadicSciatica, kRadicOneLegPain,
  kRadicReflexReduced, kRadicPersistentSciatica, kStenosisExtensionLegPain,
  kStenosisOlderBilateral, kStenosisClaudication,
  // structural.yaml
  kFractureSignificantTrauma, kFractureFragileBones,
  kFractureFragileBonesSeverePain, kFractureFallMidlineTenderness,
  kStructureDeformity, kCancerWithNeuroSigns, kCancerSuspectedWithNeuro,
  kCancerOlderNotImproving, kCancerHistoryWithFeatures, kCancerHistoryAlone,
  kCancerWeightLoss, kCancerNonmechanicalOlder, kPainConstantUnrelenting,
  kCancerNightPainWorsening, kPainNightPain, kInfectionFeverHighRisk,
  kInfectionSpinalFeatures, kInfectionSuspectedWithNeuro,
  kInfectionFeverSpinalFeatures, kInfectionHighRiskSevere,
  kInfectionDiabetesWorseningSevere, kCordNonmechanicalWithNeuro,
  kInfectionRecentInfectionFever, kInfectionFever, kStructureLocalHeatRedness,
  kSpaInflammatoryPattern, kSpaInflammatoryAsas, kSpaNg65ThreeFeatures,
  kSpaFeaturesCheck, kTearSevereLimitationSeverePain,
  kMovementSevereLimitation,
  kRuleTagCount
};

// clang-format on
struct RuleSpec {
  RuleTag tag;
  const char* id;
  TriageLevel level;
  std::vector<const char*> conditions;
  std::vector<const char*> see;
};

// clang-format off
using L = TriageLevel;
const std::vector<RuleSpec>& RuleSpecs() {
  static const std::vector<RuleSpec> specs = {
      {kSpasmMechanicalPattern, "spasm.mechanical_pattern", L::kSelfCare, {}, {"pharmacist"}},
      {kCourseNotSettling, "course.not_settling", L::kRoutine, {}, {"gp", "physiotherapist"}},
      {kOutlookPoorOutcomeRisk, "outlook.poor_outcome_risk", L::kRoutine, {}, {"physiotherapist", "gp"}},
      {kCoursePersistent, "course.persistent", L::kRoutine, {}, {"gp", "physiotherapist"}},
      {kCourseWorsening, "course.worsening", L::kRoutine, {}, {"gp", "physiotherapist"}},
      {kCourseRecurrent, "course.recurrent", L::kRoutine, {}, {"gp", "physiotherapist"}},
      {kPainUncontrolled, "pain.uncontrolled", L::kUrgent, {}, {"gp_same_day"}},
      {kPainVerySevere, "pain.very_severe", L::kRoutine, {}, {"gp"}},
      {kAgeOlderFirstEpisode, "age.older_first_episode", L::kRoutine, {}, {"gp"}},
      {kAgeChild, "age.child", L::kRoutine, {}, {"gp"}},
      {kHistoryRecentSpinalProcedure, "history.recent_spinal_procedure", L::kRoutine, {}, {"gp", "orthopaedics"}},
      {kKidneyStoneColic, "kidney.stone_colic", L::kUrgent, {"kidney_stone"}, {"gp_same_day", "urology"}},
      {kKidneyStoneWithFever, "kidney.stone_with_fever", L::kEmergency, {"kidney_stone", "kidney_infection"}, {"emergency_department"}},
      {kKidneyStoneUncontrolled, "kidney.stone_uncontrolled", L::kEmergency, {"kidney_stone"}, {"emergency_department", "urology"}},
      {kKidneyStoneOlderAaaCheck, "kidney.stone_older_aaa_check", L::kEmergency, {"abdominal_aortic_aneurysm"}, {"emergency_department"}},
      {kKidneyFlankAndBellyPain, "kidney.flank_and_belly_pain", L::kUrgent, {"kidney_stone"}, {"gp_same_day"}},
      {kKidneyBloodInUrine, "kidney.blood_in_urine", L::kRoutine, {"kidney_stone"}, {"gp"}},
      {kKidneyInfection, "kidney.infection", L::kUrgent, {"kidney_infection"}, {"gp_same_day"}},
      {kKidneyInfectionPossible, "kidney.infection_possible", L::kUrgent, {"kidney_infection"}, {"gp_same_day"}},
      {kKidneyUrinarySymptoms, "kidney.urinary_symptoms", L::kRoutine, {"kidney_infection"}, {"gp", "pharmacist"}},
      {kKidneyFlankPain, "kidney.flank_pain", L::kRoutine, {}, {"gp"}},
      {kGallbladderBiliaryPain, "gallbladder.biliary_pain", L::kUrgent, {"gallbladder_disease"}, {"gp_same_day", "general_surgery"}},
      {kGallbladderCholangitis, "gallbladder.cholangitis", L::kEmergency, {"gallbladder_disease"}, {"emergency_department"}},
      {kGallbladderRuqPain, "gallbladder.ruq_pain", L::kRoutine, {"gallbladder_disease"}, {"gp"}},
      {kAbdomenPain, "abdomen.pain", L::kUrgent, {}, {"gp_same_day"}},
      {kAaaRuptureSigns, "aaa.rupture_signs", L::kEmergency, {"abdominal_aortic_aneurysm"}, {"emergency_department", "vascular_surgery"}},
      {kAaaKnownAneurysm, "aaa.known_aneurysm", L::kEmergency, {"abdominal_aortic_aneurysm"}, {"emergency_department", "vascular_surgery"}},
      {kAaaKnownAneurysmMechanical, "aaa.known_aneurysm_mechanical", L::kUrgent, {"abdominal_aortic_aneurysm"}, {"gp_same_day", "vascular_surgery"}},
      {kAaaSuddenSevereOlder, "aaa.sudden_severe_older", L::kEmergency, {"abdominal_aortic_aneurysm", "aortic_dissection"}, {"emergency_department"}},
      {kAaaAtRiskBellyPain, "aaa.at_risk_belly_pain", L::kEmergency, {"abdominal_aortic_aneurysm"}, {"emergency_department"}},
      {kAortaDissection, "aorta.dissection", L::kEmergency, {"aortic_dissection"}, {"emergency_department"}},
      {kAortaAbruptSeverePain, "aorta.abrupt_severe_pain", L::kEmergency, {"aortic_dissection"}, {"emergency_department"}},
      {kHeartAbruptThoracicPain, "heart.abrupt_thoracic_pain", L::kEmergency, {"acute_coronary_syndrome"}, {"emergency_department"}},
      {kAaaAbruptSeverePain, "aaa.abrupt_severe_pain", L::kEmergency, {"abdominal_aortic_aneurysm"}, {"emergency_department"}},
      {kAortaSuddenPainNeuroDeficit, "aorta.sudden_pain_neuro_deficit", L::kEmergency, {"aortic_dissection"}, {"emergency_department"}},
      {kHeartThoracicVascularRisk, "heart.thoracic_vascular_risk", L::kEmergency, {"acute_coronary_syndrome"}, {"emergency_department"}},
      {kHeartChestPain, "heart.chest_pain", L::kEmergency, {"acute_coronary_syndrome"}, {"emergency_department"}},
      {kHeartThoracicWithBreathlessness, "heart.thoracic_with_breathlessness", L::kEmergency, {"acute_coronary_syndrome"}, {"emergency_department"}},
      {kPainThoracic, "pain.thoracic", L::kUrgent, {}, {"gp_same_day"}},
      {kPainThoracicMechanical, "pain.thoracic_mechanical", L::kRoutine, {}, {"gp", "physiotherapist"}},
      {kBreathingShortnessOfBreath, "breathing.shortness_of_breath", L::kUrgent, {}, {"gp_same_day"}},
      {kMeningitisSigns, "meningitis.signs", L::kEmergency, {"meningitis"}, {"emergency_department"}},
      {kCirculationFainting, "circulation.fainting", L::kEmergency, {}, {"emergency_department"}},
      {kVitalsRedScore, "vitals.red_score", L::kEmergency, {}, {"emergency_department"}},
      {kVitalsAbnormal, "vitals.abnormal", L::kUrgent, {}, {"gp_same_day"}},
      {kGeneralVeryUnwell, "general.very_unwell", L::kUrgent, {}, {"gp_same_day"}},
      {kPregnancyWarningSigns, "pregnancy.warning_signs", L::kEmergency, {"pregnancy_complication"}, {"maternity_unit", "emergency_department"}},
      {kPregnancyKidneyInfectionUnwell, "pregnancy.kidney_infection_unwell", L::kEmergency, {"kidney_infection", "pregnancy_complication"}, {"maternity_unit", "emergency_department"}},
      {kPregnancyHeadache, "pregnancy.headache", L::kEmergency, {"pregnancy_complication"}, {"maternity_unit"}},
      {kPregnancyInfectionOrSevere, "pregnancy.infection_or_severe", L::kUrgent, {"pregnancy_complication"}, {"maternity_unit", "gp_same_day"}},
      {kPregnancyPelvicGirdlePain, "pregnancy.pelvic_girdle_pain", L::kRoutine, {}, {"physiotherapist", "gp"}},
      {kPregnancyPossibleBleeding, "pregnancy.possible_bleeding", L::kUrgent, {"pregnancy_complication"}, {"gp_same_day"}},
      {kBleedingVaginal, "bleeding.vaginal", L::kRoutine, {}, {"gp"}},
      {kMedicineParacetamolOveruse, "medicine.paracetamol_overuse", L::kEmergency, {"medicine_overuse"}, {"emergency_department"}},
      {kMedicineParacetamolOveruseSymptoms, "medicine.paracetamol_overuse_symptoms", L::kEmergency, {"medicine_overuse"}, {"emergency_department"}},
      {kGeneralThirst, "general.thirst", L::kRoutine, {}, {"gp"}},
      {kCesBladderBowel, "ces.bladder_bowel", L::kEmergency, {"cauda_equina_syndrome"}, {"emergency_department"}},
      {kCesSaddleOrSexual, "ces.saddle_or_sexual", L::kEmergency, {"cauda_equina_syndrome"}, {"emergency_department"}},
      {kCesBilateralWeakness, "ces.bilateral_weakness", L::kEmergency, {"cauda_equina_syndrome"}, {"emergency_department"}},
      {kCesBilateralLegSymptoms, "ces.bilateral_leg_symptoms", L::kEmergency, {"cauda_equina_syndrome"}, {"emergency_department"}},
      {kCesScreenUnsure, "ces.screen_unsure", L::kUrgent, {}, {"gp_same_day"}},
      {kNeuroGaitDisturbance, "neuro.gait_disturbance", L::kEmergency, {"cauda_equina_syndrome"}, {"emergency_department"}},
      {kNeuroProgressingDeficit, "neuro.progressing_deficit", L::kEmergency, {"radiculopathy"}, {"emergency_department"}},
      {kNeuroStrokeSigns, "neuro.stroke_signs", L::kEmergency, {"stroke"}, {"emergency_department"}},
      {kNeuroConfusion, "neuro.confusion", L::kEmergency, {}, {"emergency_department"}},
      {kRadicMotorDeficit, "radic.motor_deficit", L::kUrgent, {"radiculopathy"}, {"gp_same_day", "physiotherapist"}},
      {kRadicArmSymptoms, "radic.arm_symptoms", L::kUrgent, {"radiculopathy"}, {"gp_same_day"}},
      {kRadicSciatica, "radic.sciatica", L::kSelfCare, {"radiculopathy"}, {"physiotherapist", "gp"}},
      {kRadicOneLegPain, "radic.one_leg_pain", L::kSelfCare, {"radiculopathy"}, {"pharmacist", "physiotherapist"}},
      {kRadicReflexReduced, "radic.reflex_reduced", L::kRoutine, {"radiculopathy"}, {"gp", "physiotherapist"}},
      {kRadicPersistentSciatica, "radic.persistent_sciatica", L::kRoutine, {"radiculopathy"}, {"gp", "orthopaedics"}},
      {kStenosisExtensionLegPain, "stenosis.extension_leg_pain", L::kSelfCare, {"spinal_stenosis"}, {"gp", "physiotherapist"}},
      {kStenosisOlderBilateral, "stenosis.older_bilateral", L::kSelfCare, {"spinal_stenosis"}, {"gp", "physiotherapist"}},
      {kStenosisClaudication, "stenosis.claudication", L::kRoutine, {"spinal_stenosis"}, {"gp", "physiotherapist"}},
      {kFractureSignificantTrauma, "fracture.significant_trauma", L::kEmergency, {"spinal_fracture"}, {"emergency_department"}},
      {kFractureFragileBones, "fracture.fragile_bones", L::kUrgent, {"spinal_fracture"}, {"gp_same_day"}},
      {kFractureFragileBonesSeverePain, "fracture.fragile_bones_severe_pain", L::kEmergency, {"spinal_fracture"}, {"emergency_department"}},
      {kFractureFallMidlineTenderness, "fracture.fall_midline_tenderness", L::kUrgent, {"spinal_fracture"}, {"gp_same_day"}},
      {kStructureDeformity, "structure.deformity", L::kUrgent, {}, {"gp_same_day"}},
      {kCancerWithNeuroSigns, "cancer.with_neuro_signs", L::kEmergency, {"spinal_malignancy"}, {"emergency_department", "oncology"}},
      {kCancerSuspectedWithNeuro, "cancer.suspected_with_neuro", L::kEmergency, {"spinal_malignancy"}, {"emergency_department", "oncology"}},
      {kCancerOlderNotImproving, "cancer.older_not_improving", L::kUrgent, {"spinal_malignancy"}, {"gp_same_day"}},
      {kCancerHistoryWithFeatures, "cancer.history_with_features", L::kUrgent, {"spinal_malignancy"}, {"gp_same_day", "oncology"}},
      {kCancerHistoryAlone, "cancer.history_alone", L::kRoutine, {"spinal_malignancy"}, {"gp"}},
      {kCancerWeightLoss, "cancer.weight_loss", L::kUrgent, {"spinal_malignancy"}, {"gp_same_day"}},
      {kCancerNonmechanicalOlder, "cancer.nonmechanical_older", L::kUrgent, {"spinal_malignancy"}, {"gp_same_day"}},
      {kPainConstantUnrelenting, "pain.constant_unrelenting", L::kUrgent, {}, {"gp_same_day"}},
      {kCancerNightPainWorsening, "cancer.night_pain_worsening", L::kRoutine, {"spinal_malignancy"}, {"gp"}},
      {kPainNightPain, "pain.night_pain", L::kRoutine, {}, {"gp"}},
      {kInfectionFeverHighRisk, "infection.fever_high_risk", L::kEmergency, {"spinal_infection"}, {"emergency_department"}},
      {kInfectionSpinalFeatures, "infection.spinal_features", L::kUrgent, {"spinal_infection"}, {"gp_same_day"}},
      {kInfectionSuspectedWithNeuro, "infection.suspected_with_neuro", L::kEmergency, {"spinal_infection"}, {"emergency_department"}},
      {kInfectionFeverSpinalFeatures, "infection.fever_spinal_features", L::kEmergency, {"spinal_infection"}, {"emergency_department"}},
      {kInfectionHighRiskSevere, "infection.high_risk_severe", L::kEmergency, {"spinal_infection"}, {"emergency_department"}},
      {kInfectionDiabetesWorseningSevere, "infection.diabetes_worsening_severe", L::kEmergency, {"spinal_infection"}, {"emergency_department"}},
      {kCordNonmechanicalWithNeuro, "cord.nonmechanical_with_neuro", L::kEmergency, {"spinal_infection", "spinal_malignancy"}, {"emergency_department"}},
      {kInfectionRecentInfectionFever, "infection.recent_infection_fever", L::kUrgent, {"spinal_infection"}, {"gp_same_day"}},
      {kInfectionFever, "infection.fever", L::kUrgent, {}, {"gp_same_day"}},
      {kStructureLocalHeatRedness, "structure.local_heat_redness", L::kRoutine, {}, {"gp"}},
      {kSpaInflammatoryPattern, "spa.inflammatory_pattern", L::kRoutine, {"axial_spondyloarthritis"}, {"gp", "rheumatology"}},
      {kSpaInflammatoryAsas, "spa.inflammatory_asas", L::kRoutine, {"axial_spondyloarthritis"}, {"gp", "rheumatology"}},
      {kSpaNg65ThreeFeatures, "spa.ng65_three_features", L::kRoutine, {"axial_spondyloarthritis"}, {"gp", "rheumatology"}},
      {kSpaFeaturesCheck, "spa.features_check", L::kSelfCare, {"axial_spondyloarthritis"}, {"gp"}},
      {kTearSevereLimitationSeverePain, "tear.severe_limitation_severe_pain", L::kUrgent, {"muscle_or_tendon_tear"}, {"gp_same_day"}},
      {kMovementSevereLimitation, "movement.severe_limitation", L::kRoutine, {}, {"gp", "physiotherapist"}},
  };
  return specs;
}
// clang-format on

// A rule's outputs, resolved against the knowledge base at setup. As in the
// engine, `see` is the services of the fired rules at the result's level
// only, and red flags are the red-flag findings of definitely-true atoms in
// the `when` of fired rules above self_care (unknown(x) atoms excluded).
struct ResolvedRule {
  uint16_t kb_index = 0;
  uint8_t level = 0;
  uint32_t conditions = 0;
  uint32_t see = 0;
};
ResolvedRule R[kRuleTagCount];

// covered_by (knowledge/conditions.yaml): radiculopathy is dropped when one
// of these is also present (spinal stenosis no longer covers it). No other
// condition is covered; SetupYardstick checks both against the knowledge
// base.
uint32_t radiculopathy_bit = 0;
uint32_t radiculopathy_covered_by = 0;

constexpr int kMaxRules = 256;

struct YardstickResult {
  TriageLevel level = TriageLevel::kSelfCare;
  uint32_t conditions = 0;
  uint32_t see = 0;
  FindingSet red_flags;
  FindingSet not_assessed;
  std::vector<uint16_t> fired;
};

// Resolves finding ids, rule outputs and enum encodings. Any difference
// between this file and the knowledge base that can be seen without running
// cases (a rule added, removed or renamed; a finding renamed; an enum
// reordered) is reported here.
void SetupYardstick(const KnowledgeBase& kb) {
  std::string problems;
  auto problem = [&](const std::string& s) { problems += "  " + s + "\n"; };
  auto finding = [&](const char* key) -> int {
    auto id = kb.FindFinding(key);
    if (!id) {
      problem(std::string("finding '") + key +
              "' is not in the knowledge base");
      return 0;
    }
    return *id;
  };
#define YARDSTICK_RESOLVE(name) F.name = finding(#name);
  YARDSTICK_FINDINGS(YARDSTICK_RESOLVE)
#undef YARDSTICK_RESOLVE

  for (const char* key : kRedFlagKeys) red_flag_mask.set(finding(key));
  for (size_t f = 0; f < kb.findings().size(); ++f) {
    if (kb.findings()[f].red_flag != red_flag_mask.test(f))
      problem("finding '" + kb.findings()[f].key + "' is " +
              (kb.findings()[f].red_flag ? "" : "not ") +
              "a red flag in the knowledge base but " +
              (red_flag_mask.test(f) ? "" : "not ") + "in kRedFlagKeys");
  }

  auto condition = [&](const char* id) -> uint32_t {
    auto c = kb.FindCondition(id);
    if (!c) {
      problem(std::string("condition '") + id +
              "' is not in the knowledge base");
      return 0;
    }
    return 1u << *c;
  };
  auto service = [&](const char* id) -> uint32_t {
    const auto& services = kb.services();
    for (size_t i = 0; i < services.size(); ++i)
      if (services[i].id == id) return 1u << i;
    problem(std::string("service '") + id + "' is not in the knowledge base");
    return 0;
  };

  const auto& rules = kb.rules();
  if (rules.size() > kMaxRules)
    problem("more rules than the yardstick handles");
  std::vector<bool> covered(rules.size(), false);
  const auto& specs = RuleSpecs();
  if (specs.size() != kRuleTagCount)
    problem("RuleSpecs() and RuleTag disagree");
  for (size_t i = 0; i < specs.size(); ++i) {
    const RuleSpec& s = specs[i];
    if (s.tag != static_cast<RuleTag>(i))
      problem(std::string("RuleSpecs() out of order at ") + s.id);
    size_t k = 0;
    while (k < rules.size() && rules[k].id != s.id) ++k;
    if (k == rules.size()) {
      problem(std::string("yardstick rule '") + s.id +
              "' is not in the knowledge base");
      continue;
    }
    covered[k] = true;
    ResolvedRule& r = R[s.tag];
    r.kb_index = static_cast<uint16_t>(k);
    r.level = static_cast<uint8_t>(s.level);
    for (const char* c : s.conditions) r.conditions |= condition(c);
    for (const char* v : s.see) r.see |= service(v);
  }
  for (size_t k = 0; k < rules.size(); ++k) {
    if (!covered[k])
      problem("knowledge-base rule '" + rules[k].id +
              "' has no counterpart in the yardstick (bench/engine_bench.cc)");
  }

  radiculopathy_bit = condition("radiculopathy");
  radiculopathy_covered_by =
      condition("cauda_equina_syndrome") | condition("spinal_infection") |
      condition("spinal_fracture") | condition("spinal_malignancy");
  for (size_t i = 0; i < kb.conditions().size(); ++i) {
    const uint32_t expected =
        (1u << i) == radiculopathy_bit ? radiculopathy_covered_by : 0;
    if (kb.conditions()[i].covered_by != expected)
      problem("covered_by of condition '" + kb.conditions()[i].id +
              "' differs from the yardstick's");
  }

  auto check_enum = [&](const char* key, std::vector<std::string> values) {
    auto id = kb.FindFinding(key);
    if (id && kb.findings()[*id].values != values)
      problem(std::string("enum values of '") + key + "' changed");
  };
  check_enum("sex", {"female", "male", "other"});
  for (const char* side : {"leg_pain", "leg_weakness", "leg_numbness_tingling"})
    check_enum(side, {"none", "one", "both"});
  check_enum("rom_limitation", {"none", "mild", "severe"});
  check_enum("heel_walk", {"normal", "weak", "unable"});
  check_enum("toe_walk", {"normal", "weak", "unable"});
  if (auto t = kb.FindFinding("temperature_c");
      t && kb.findings()[*t].scale != 10)
    problem("temperature_c is no longer scaled by 10");

  if (!problems.empty())
    Die("the yardstick does not match the knowledge base:\n" + problems);
}

// Three-valued atoms: each is "definitely true" (or, for the *False forms,
// "definitely false"); an unknown value is neither.
struct Values {
  const int32_t* v;
  bool T(int f) const { return v[f] != kUnknown && v[f] != 0; }  // bool true
  bool False(int f) const { return v[f] == 0; }                  // bool false
  bool Unk(int f) const { return v[f] == kUnknown; }
  bool Eq(int f, int32_t x) const { return v[f] == x; }  // x known
  bool Ne(int f, int32_t x) const { return v[f] != kUnknown && v[f] != x; }
  bool Ge(int f, int32_t x) const { return v[f] != kUnknown && v[f] >= x; }
  bool Gt(int f, int32_t x) const { return v[f] != kUnknown && v[f] > x; }
  bool Le(int f, int32_t x) const { return v[f] != kUnknown && v[f] <= x; }
  bool Lt(int f, int32_t x) const { return v[f] != kUnknown && v[f] < x; }
};

void Yardstick(const Case& c, YardstickResult* out) {
  const Values x{c.values.data()};
  uint64_t fired[kMaxRules / 64] = {};
  uint8_t level = 0;
  uint32_t conditions = 0;
  uint32_t see[backaid::kLevelCount] = {0, 0, 0, 0};  // by rule level
  FindingSet& rf = out->red_flags;
  rf.reset();

  auto fire = [&](RuleTag t) {
    const ResolvedRule& r = R[t];
    fired[r.kb_index >> 6] |= uint64_t{1} << (r.kb_index & 63);
    level = std::max(level, r.level);
    conditions |= r.conditions;
    see[r.level] |= r.see;
  };
  // Evidence: a red-flag finding whose atom in a fired rule's `when` is
  // definitely true. Rules at self_care name no red flags, and neither do
  // rules whose `when` holds no red-flag finding.
  auto ev = [&](bool atom_true, int f) {
    if (atom_true) rf[f] = true;
  };
  auto evb = [&](int f) { ev(x.T(f), f); };

  // Shared sub-expressions (each "definitely true").
  const bool fever_any = x.T(F.fever) || x.Ge(F.temperature_c, kTemp38_0) ||
                         x.T(F.chills_or_rigors);
  auto ev_fever = [&] {
    evb(F.fever);
    evb(F.chills_or_rigors);
  };
  const bool severe = x.T(F.pain_severe) || x.Ge(F.pain_score, 8);
  const bool severe_or_uncontrolled = severe || x.T(F.pain_uncontrolled);
  const bool vascular_risk = x.T(F.smoker) || x.T(F.vascular_risk_factors) ||
                             x.T(F.high_blood_pressure);
  const bool leg_pain_any =
      x.Eq(F.leg_pain, kSideOne) || x.Eq(F.leg_pain, kSideBoth);
  const bool leg_pain_below_knee = leg_pain_any && x.T(F.pain_below_knee);
  const bool weak_any = x.Ne(F.leg_weakness, kSideNone);
  const bool numb_any = x.Ne(F.leg_numbness_tingling, kSideNone);
  const bool numb_both = x.Eq(F.leg_numbness_tingling, kSideBoth);
  const bool nonmechanical =
      x.T(F.night_pain) || x.T(F.pain_constant_unrelenting);
  // `unless` of the abrupt-pain rules: the pain began with a strain or fall.
  const bool strain_or_fall = x.T(F.onset_with_movement) ||
                              x.T(F.onset_during_exertion_or_sport) ||
                              x.T(F.minor_trauma) || x.T(F.significant_trauma);
  const bool sudden_severe = x.T(F.onset_sudden) && severe;

  // ---- course.yaml --------------------------------------------------------
  if (x.T(F.onset_with_movement) || x.T(F.onset_during_exertion_or_sport) ||
      x.T(F.muscle_spasm) || x.T(F.local_tenderness) ||
      x.T(F.pain_worse_with_movement)) {
    fire(kSpasmMechanicalPattern);  // self_care: names no red flags
  }
  if ((x.Ge(F.onset_days, 21) || x.Ge(F.self_care_days, 7)) &&
      !x.T(F.improving)) {
    fire(kCourseNotSettling);
  }
  {
    // at_least(4, ...) counts definitely-true children.
    const int count = leg_pain_any + x.T(F.other_pain_neck_shoulder) +
                      x.T(F.walking_limited_by_pain) + x.T(F.fear_of_movement) +
                      x.T(F.worry_a_lot) + x.T(F.pain_never_better) +
                      x.T(F.low_mood_lately) + x.T(F.pain_very_bothersome);
    if (count >= 4) fire(kOutlookPoorOutcomeRisk);
  }
  if (x.Ge(F.onset_days, 42)) fire(kCoursePersistent);
  if (x.T(F.worsening)) fire(kCourseWorsening);
  if (x.Ge(F.previous_episodes_6_months, 2)) fire(kCourseRecurrent);
  if (x.T(F.pain_uncontrolled)) {
    fire(kPainUncontrolled);
    evb(F.pain_uncontrolled);
  }
  if (x.Ge(F.pain_score, 8) || x.T(F.pain_severe)) fire(kPainVerySevere);
  if (x.Gt(F.age, 55) && !x.T(F.previous_similar_episodes))
    fire(kAgeOlderFirstEpisode);
  if (x.Lt(F.age, 16)) fire(kAgeChild);
  if (x.T(F.recent_spinal_procedure)) {
    fire(kHistoryRecentSpinalProcedure);
    evb(F.recent_spinal_procedure);
  }

  // ---- lookalikes.yaml ----------------------------------------------------
  const bool stone_colic = x.T(F.flank_pain_colicky) ||
                           (x.T(F.pain_radiates_groin) &&
                            (x.T(F.blood_in_urine) || x.T(F.flank_pain)));
  if (stone_colic) {
    fire(kKidneyStoneColic);
    evb(F.flank_pain_colicky);
    evb(F.blood_in_urine);
  }
  if ((x.T(F.flank_pain_colicky) ||
       (x.T(F.flank_pain) &&
        (x.T(F.pain_radiates_groin) || x.T(F.blood_in_urine)))) &&
      fever_any) {
    fire(kKidneyStoneWithFever);
    evb(F.flank_pain_colicky);
    evb(F.blood_in_urine);
    ev_fever();
  }
  if (stone_colic && x.T(F.pain_uncontrolled)) {
    fire(kKidneyStoneUncontrolled);
    evb(F.flank_pain_colicky);
    evb(F.blood_in_urine);
    evb(F.pain_uncontrolled);
  }
  if (x.T(F.flank_pain_colicky) &&
      ((x.Ge(F.age, 60) && vascular_risk) ||
       (x.Ge(F.age, 65) && x.Eq(F.sex, kSexMale)))) {
    fire(kKidneyStoneOlderAaaCheck);
    evb(F.flank_pain_colicky);
  }
  if (x.T(F.flank_pain) && x.T(F.abdominal_pain)) {
    fire(kKidneyFlankAndBellyPain);
    evb(F.abdominal_pain);
  }
  if (x.T(F.blood_in_urine)) {
    fire(kKidneyBloodInUrine);
    evb(F.blood_in_urine);
  }
  if (fever_any && (x.T(F.urinary_symptoms) || x.T(F.flank_pain) ||
                    x.T(F.flank_pain_colicky))) {
    fire(kKidneyInfection);
    ev_fever();
    evb(F.urinary_symptoms);
    evb(F.flank_pain_colicky);
  }
  if (x.T(F.urinary_symptoms) && (x.T(F.flank_pain) || x.T(F.nausea_vomiting) ||
                                  x.T(F.feeling_very_unwell))) {
    fire(kKidneyInfectionPossible);
    evb(F.urinary_symptoms);
    evb(F.feeling_very_unwell);
  }
  if (x.T(F.urinary_symptoms)) {
    fire(kKidneyUrinarySymptoms);
    evb(F.urinary_symptoms);
  }
  if (x.T(F.flank_pain)) fire(kKidneyFlankPain);
  if ((x.T(F.right_upper_abdominal_pain) &&
       (x.T(F.pain_after_fatty_meal) || x.T(F.nausea_vomiting))) ||
      x.T(F.jaundice)) {
    fire(kGallbladderBiliaryPain);
    evb(F.right_upper_abdominal_pain);
    evb(F.jaundice);
  }
  if ((x.T(F.right_upper_abdominal_pain) || x.T(F.jaundice)) && fever_any &&
      (x.T(F.jaundice) || x.T(F.nausea_vomiting))) {
    fire(kGallbladderCholangitis);
    evb(F.right_upper_abdominal_pain);
    evb(F.jaundice);
    ev_fever();
  }
  if (x.T(F.right_upper_abdominal_pain)) {
    fire(kGallbladderRuqPain);
    evb(F.right_upper_abdominal_pain);
  }
  if (x.T(F.abdominal_pain)) {
    fire(kAbdomenPain);
    evb(F.abdominal_pain);
  }
  if (x.T(F.pulsating_abdominal_mass) ||
      (x.T(F.known_aortic_aneurysm) &&
       (x.T(F.abdominal_pain) || x.T(F.fainting) || severe)) ||
      ((x.T(F.abdominal_pain) || x.T(F.flank_pain)) && x.T(F.fainting) &&
       x.Ge(F.age, 50)) ||
      (x.Lt(F.systolic_bp, 90) && x.Ge(F.age, 50) &&
       (x.T(F.abdominal_pain) || x.T(F.flank_pain)))) {
    fire(kAaaRuptureSigns);
    evb(F.pulsating_abdominal_mass);
    evb(F.known_aortic_aneurysm);
    evb(F.abdominal_pain);
    evb(F.fainting);
  }
  if (x.T(F.known_aortic_aneurysm)) {
    // unless: (onset_with_movement or pain_worse_with_movement or
    // local_tenderness) and pain_score <= 7 and not (abdominal_pain or
    // fainting). "not (a or b)" is definitely true when both are false.
    const bool unless =
        (x.T(F.onset_with_movement) || x.T(F.pain_worse_with_movement) ||
         x.T(F.local_tenderness)) &&
        x.Le(F.pain_score, 7) && x.False(F.abdominal_pain) &&
        x.False(F.fainting);
    if (!unless) fire(kAaaKnownAneurysm);
    fire(kAaaKnownAneurysmMechanical);
    evb(F.known_aortic_aneurysm);
  }
  if (sudden_severe && x.Ge(F.age, 50) && vascular_risk &&
      !(x.T(F.onset_with_movement) || x.T(F.onset_during_exertion_or_sport) ||
        x.T(F.minor_trauma))) {
    fire(kAaaSuddenSevereOlder);  // no red-flag finding in its `when`
  }
  if (x.T(F.abdominal_pain) && x.Ge(F.age, 65) &&
      (severe || vascular_risk || x.T(F.known_aortic_aneurysm))) {
    fire(kAaaAtRiskBellyPain);
    evb(F.abdominal_pain);
    evb(F.known_aortic_aneurysm);
  }
  if (sudden_severe &&
      (x.T(F.chest_pain) ||
       (x.T(F.thoracic_pain) &&
        (x.T(F.high_blood_pressure) || x.T(F.vascular_risk_factors) ||
         x.T(F.known_aortic_aneurysm) || x.T(F.fainting)))) &&
      !(x.T(F.onset_with_movement) && x.False(F.chest_pain))) {
    fire(kAortaDissection);
    evb(F.chest_pain);
    evb(F.thoracic_pain);
    evb(F.known_aortic_aneurysm);
    evb(F.fainting);
  }
  if (sudden_severe && !strain_or_fall) {
    fire(kAortaAbruptSeverePain);  // no red-flag finding in its `when`
    if (x.T(F.thoracic_pain)) {
      fire(kHeartAbruptThoracicPain);
      evb(F.thoracic_pain);
    }
    if (!(x.T(F.thoracic_pain) || x.T(F.chest_pain)))
      fire(kAaaAbruptSeverePain);  // no red-flag finding in its `when`
  }
  if (x.T(F.onset_sudden) &&
      (weak_any || x.T(F.one_sided_weakness) || x.T(F.foot_drop)) &&
      !(x.Ge(F.onset_days, 2) || strain_or_fall)) {
    fire(kAortaSuddenPainNeuroDeficit);
    ev(weak_any, F.leg_weakness);
    evb(F.one_sided_weakness);
    evb(F.foot_drop);
  }
  if (x.T(F.thoracic_pain) && x.Ge(F.age, 50) &&
      (vascular_risk || x.T(F.diabetes)) &&
      !(x.T(F.significant_trauma) || x.T(F.minor_trauma))) {
    fire(kHeartThoracicVascularRisk);
    evb(F.thoracic_pain);
  }
  if (x.T(F.chest_pain)) {
    fire(kHeartChestPain);
    evb(F.chest_pain);
  }
  if (x.T(F.thoracic_pain) && x.T(F.shortness_of_breath) &&
      (x.Ge(F.age, 40) || x.T(F.vascular_risk_factors))) {
    fire(kHeartThoracicWithBreathlessness);
    evb(F.thoracic_pain);
    evb(F.shortness_of_breath);
  }
  if (x.T(F.thoracic_pain)) {
    if (!((x.T(F.onset_with_movement) ||
           x.T(F.onset_during_exertion_or_sport) ||
           x.T(F.pain_worse_with_movement)) &&
          x.Lt(F.age, 50))) {
      fire(kPainThoracic);
    }
    fire(kPainThoracicMechanical);
    evb(F.thoracic_pain);
  }
  if (x.T(F.shortness_of_breath)) {
    fire(kBreathingShortnessOfBreath);
    evb(F.shortness_of_breath);
  }
  {
    const bool fever_or_temp = x.T(F.fever) || x.Ge(F.temperature_c, kTemp38_0);
    if ((x.T(F.neck_stiffness) && (fever_or_temp || x.T(F.headache) ||
                                   x.T(F.confusion_or_drowsiness))) ||
        (fever_or_temp && x.T(F.headache) && x.T(F.confusion_or_drowsiness))) {
      fire(kMeningitisSigns);
      evb(F.neck_stiffness);
      evb(F.fever);
      evb(F.headache);
      evb(F.confusion_or_drowsiness);
    }
  }
  if (x.T(F.fainting)) {
    fire(kCirculationFainting);
    evb(F.fainting);
  }
  if (x.Ge(F.heart_rate, 131) || x.Le(F.heart_rate, 40) ||
      x.Le(F.systolic_bp, 90) || x.Le(F.temperature_c, kTemp35_0)) {
    fire(kVitalsRedScore);
  }
  if (x.Ge(F.heart_rate, 111) || x.Le(F.systolic_bp, 100) ||
      x.Ge(F.systolic_bp, 200) || x.Ge(F.temperature_c, kTemp39_1)) {
    fire(kVitalsAbnormal);
  }
  if (x.T(F.feeling_very_unwell) ||
      (x.T(F.fever) &&
       (x.T(F.nausea_vomiting) || x.T(F.recurrent_infections)))) {
    fire(kGeneralVeryUnwell);
    evb(F.feeling_very_unwell);
    evb(F.fever);
  }
  if (x.T(F.pregnant)) {
    if (x.T(F.vaginal_bleeding) || x.T(F.pregnancy_contractions) ||
        x.T(F.reduced_fetal_movements)) {
      fire(kPregnancyWarningSigns);
      evb(F.vaginal_bleeding);
      evb(F.pregnancy_contractions);
      evb(F.reduced_fetal_movements);
    }
    if (fever_any &&
        (x.T(F.flank_pain) || x.T(F.urinary_symptoms) ||
         x.T(F.flank_pain_colicky)) &&
        (x.Ge(F.heart_rate, 100) || x.T(F.feeling_very_unwell) ||
         x.T(F.nausea_vomiting))) {
      fire(kPregnancyKidneyInfectionUnwell);
      ev_fever();
      evb(F.urinary_symptoms);
      evb(F.flank_pain_colicky);
      evb(F.feeling_very_unwell);
    }
    if (x.Ge(F.pregnancy_weeks, 20) && x.T(F.headache)) {
      fire(kPregnancyHeadache);
      evb(F.headache);
    }
    if (fever_any || x.T(F.urinary_symptoms) || x.T(F.flank_pain) ||
        severe_or_uncontrolled) {
      fire(kPregnancyInfectionOrSevere);
      ev_fever();
      evb(F.urinary_symptoms);
      evb(F.pain_uncontrolled);
    }
    if (leg_pain_any || x.T(F.walking_limited_by_pain))
      fire(kPregnancyPelvicGirdlePain);  // no red-flag finding in its `when`
  }
  if (x.T(F.vaginal_bleeding)) {
    // unless: not pregnant or sex == male or age < 12 or age > 55.
    if (!(x.False(F.pregnant) || x.Eq(F.sex, kSexMale) || x.Lt(F.age, 12) ||
          x.Gt(F.age, 55))) {
      fire(kPregnancyPossibleBleeding);
    }
    fire(kBleedingVaginal);
    evb(F.vaginal_bleeding);
  }
  if (x.T(F.paracetamol_overuse)) {
    fire(kMedicineParacetamolOveruse);
    evb(F.paracetamol_overuse);
    if (x.T(F.nausea_vomiting) || x.T(F.jaundice) ||
        x.T(F.confusion_or_drowsiness) || x.T(F.right_upper_abdominal_pain) ||
        x.T(F.abdominal_pain)) {
      fire(kMedicineParacetamolOveruseSymptoms);
      evb(F.jaundice);
      evb(F.confusion_or_drowsiness);
      evb(F.right_upper_abdominal_pain);
      evb(F.abdominal_pain);
    }
  }
  if (x.T(F.excessive_thirst_or_urination)) fire(kGeneralThirst);

  // ---- nerves.yaml --------------------------------------------------------
  if (x.T(F.bladder_dysfunction) || x.T(F.bowel_dysfunction)) {
    fire(kCesBladderBowel);
    evb(F.bladder_dysfunction);
    evb(F.bowel_dysfunction);
  }
  if (x.T(F.saddle_numbness) || x.T(F.sexual_dysfunction_new)) {
    fire(kCesSaddleOrSexual);
    evb(F.saddle_numbness);
    evb(F.sexual_dysfunction_new);
  }
  if (x.Eq(F.leg_weakness, kSideBoth) && !x.T(F.significant_trauma)) {
    fire(kCesBilateralWeakness);
    evb(F.leg_weakness);  // == both, so true
  }
  if ((numb_both || (x.Eq(F.leg_pain, kSideBoth) && x.T(F.pain_below_knee))) &&
      !(x.T(F.significant_trauma) ||
        (x.T(F.neurogenic_claudication) && x.Ge(F.onset_days, 90)))) {
    fire(kCesBilateralLegSymptoms);
    ev(numb_both, F.leg_numbness_tingling);
  }
  if (x.T(F.unsure_ces_check)) fire(kCesScreenUnsure);  // not a red flag
  if (x.T(F.gait_disturbance) &&
      !(x.T(F.history_of_cancer) || x.T(F.significant_trauma))) {
    fire(kNeuroGaitDisturbance);
    evb(F.gait_disturbance);
  }
  if (x.T(F.weakness_progressing)) {
    fire(kNeuroProgressingDeficit);
    evb(F.weakness_progressing);
  }
  if (x.T(F.one_sided_weakness) || x.T(F.speech_disturbance)) {
    fire(kNeuroStrokeSigns);
    evb(F.one_sided_weakness);
    evb(F.speech_disturbance);
  }
  if (x.T(F.confusion_or_drowsiness)) {
    fire(kNeuroConfusion);
    evb(F.confusion_or_drowsiness);
  }
  {
    const bool heel =
        x.Eq(F.heel_walk, kWalkWeak) || x.Eq(F.heel_walk, kWalkUnable);
    const bool toe =
        x.Eq(F.toe_walk, kWalkWeak) || x.Eq(F.toe_walk, kWalkUnable);
    const bool one_leg = x.Eq(F.leg_weakness, kSideOne);
    if (one_leg || x.T(F.foot_drop) || heel || toe) {
      fire(kRadicMotorDeficit);
      ev(one_leg, F.leg_weakness);
      evb(F.foot_drop);
      ev(heel, F.heel_walk);
      ev(toe, F.toe_walk);
    }
  }
  if (x.T(F.arm_symptoms)) {
    fire(kRadicArmSymptoms);
    evb(F.arm_symptoms);
  }
  if (leg_pain_below_knee || x.Eq(F.leg_numbness_tingling, kSideOne) ||
      x.T(F.straight_leg_raise_positive)) {
    fire(kRadicSciatica);  // self_care: names no red flags
  }
  // unless: not pain_below_knee (holds only when it is definitely false).
  if (x.Eq(F.leg_pain, kSideOne) && !x.False(F.pain_below_knee))
    fire(kRadicOneLegPain);  // self_care
  if (x.T(F.reflex_reduced)) fire(kRadicReflexReduced);
  if (x.Ge(F.onset_days, 42) && (leg_pain_below_knee || numb_any) &&
      !(x.T(F.improving) || x.T(F.neurogenic_claudication))) {
    fire(kRadicPersistentSciatica);
    ev(numb_any, F.leg_numbness_tingling);
  }
  if (leg_pain_any && x.T(F.pain_worse_leaning_back) && x.Ge(F.age, 50))
    fire(kStenosisExtensionLegPain);  // self_care
  if (x.Eq(F.leg_pain, kSideBoth) && x.Ge(F.age, 60) &&
      (x.Ge(F.onset_days, 90) || x.T(F.previous_similar_episodes))) {
    fire(kStenosisOlderBilateral);  // self_care
  }
  if (x.T(F.neurogenic_claudication)) fire(kStenosisClaudication);

  // ---- structural.yaml ----------------------------------------------------
  if (x.T(F.significant_trauma)) {
    fire(kFractureSignificantTrauma);
    evb(F.significant_trauma);
  }
  {
    const bool fragile = x.T(F.osteoporosis) || x.T(F.long_term_steroids);
    const bool fragility_fracture =
        (x.T(F.minor_trauma) &&
         (fragile || x.T(F.osteoporosis_risk_factors) || x.Ge(F.age, 70))) ||
        (fragile && x.T(F.onset_sudden) && x.Ge(F.age, 65)) ||
        (x.T(F.midline_spinal_tenderness) && (fragile || x.Ge(F.age, 65))) ||
        (fragile &&
         (x.T(F.onset_with_movement) || x.T(F.onset_during_exertion_or_sport)));
    if (fragility_fracture) {
      fire(kFractureFragileBones);
      evb(F.minor_trauma);
      evb(F.osteoporosis);
      evb(F.long_term_steroids);
      if (severe_or_uncontrolled) {
        fire(kFractureFragileBonesSeverePain);
        evb(F.pain_uncontrolled);
      }
    }
  }
  if (x.T(F.minor_trauma) && x.T(F.midline_spinal_tenderness)) {
    fire(kFractureFallMidlineTenderness);
    evb(F.minor_trauma);
  }
  if (x.T(F.spinal_deformity)) {
    fire(kStructureDeformity);
    evb(F.spinal_deformity);
  }
  if (x.T(F.history_of_cancer)) {
    if (weak_any || x.T(F.gait_disturbance) || x.T(F.bladder_dysfunction) ||
        x.T(F.bowel_dysfunction) || x.T(F.saddle_numbness) || numb_both ||
        x.T(F.weakness_progressing)) {
      fire(kCancerWithNeuroSigns);
      ev(weak_any, F.leg_weakness);
      evb(F.gait_disturbance);
      evb(F.bladder_dysfunction);
      evb(F.bowel_dysfunction);
      evb(F.saddle_numbness);
      ev(numb_both, F.leg_numbness_tingling);
      evb(F.weakness_progressing);
    }
    if (nonmechanical || x.T(F.unexplained_weight_loss) ||
        x.T(F.thoracic_pain) || x.Ge(F.age, 50) ||
        x.T(F.pain_worse_cough_sneeze) || x.T(F.midline_spinal_tenderness) ||
        x.T(F.worsening)) {
      fire(kCancerHistoryWithFeatures);
      evb(F.night_pain);
      evb(F.pain_constant_unrelenting);
      evb(F.unexplained_weight_loss);
      evb(F.thoracic_pain);
    }
    fire(kCancerHistoryAlone);
    evb(F.history_of_cancer);
  }
  if (x.T(F.unexplained_weight_loss) && nonmechanical && x.Ge(F.age, 50) &&
      (x.T(F.reflex_reduced) || weak_any || x.T(F.gait_disturbance) ||
       numb_any || leg_pain_below_knee || x.T(F.straight_leg_raise_positive) ||
       x.T(F.weakness_progressing))) {
    fire(kCancerSuspectedWithNeuro);
    evb(F.unexplained_weight_loss);
    evb(F.night_pain);
    evb(F.pain_constant_unrelenting);
    ev(weak_any, F.leg_weakness);
    evb(F.gait_disturbance);
    ev(numb_any, F.leg_numbness_tingling);
    evb(F.weakness_progressing);
  }
  if (x.Ge(F.age, 50) && x.T(F.worsening) && x.Ge(F.onset_days, 28))
    fire(kCancerOlderNotImproving);  // no red-flag finding in its `when`
  if (x.T(F.unexplained_weight_loss)) {
    fire(kCancerWeightLoss);
    evb(F.unexplained_weight_loss);
  }
  if (nonmechanical && x.Ge(F.age, 50) &&
      (x.Ge(F.onset_days, 28) || x.T(F.unexplained_weight_loss) ||
       x.T(F.fatigue) || x.T(F.excessive_thirst_or_urination))) {
    fire(kCancerNonmechanicalOlder);
    evb(F.night_pain);
    evb(F.pain_constant_unrelenting);
    evb(F.unexplained_weight_loss);
  }
  if (x.T(F.pain_constant_unrelenting)) {
    fire(kPainConstantUnrelenting);
    evb(F.pain_constant_unrelenting);
  }
  if (x.T(F.night_pain)) {
    if (x.T(F.worsening)) fire(kCancerNightPainWorsening);
    fire(kPainNightPain);
    evb(F.night_pain);
  }
  {
    const bool high_risk = x.T(F.iv_drug_use) || x.T(F.immunosuppressed) ||
                           x.T(F.recent_spinal_procedure);
    auto ev_high_risk = [&] {
      evb(F.iv_drug_use);
      evb(F.immunosuppressed);
      evb(F.recent_spinal_procedure);
    };
    const bool worse_or_tender =
        x.T(F.worsening) || x.T(F.midline_spinal_tenderness);
    if (fever_any && (high_risk || x.T(F.diabetes))) {
      fire(kInfectionFeverHighRisk);
      ev_fever();
      ev_high_risk();
    }
    if (((fever_any || x.T(F.recent_infection)) &&
         (nonmechanical || x.T(F.midline_spinal_tenderness) ||
          x.T(F.local_swelling_heat_redness))) ||
        (x.T(F.local_swelling_heat_redness) &&
         (x.T(F.iv_drug_use) || x.T(F.immunosuppressed) || x.T(F.diabetes))) ||
        (high_risk && nonmechanical) ||
        ((high_risk || x.T(F.recent_infection) || x.T(F.diabetes)) &&
         worse_or_tender)) {
      fire(kInfectionSpinalFeatures);
      ev_fever();
      evb(F.recent_infection);
      evb(F.night_pain);
      evb(F.pain_constant_unrelenting);
      evb(F.local_swelling_heat_redness);
      ev_high_risk();
    }
    if ((fever_any || x.T(F.recent_spinal_procedure) ||
         ((x.T(F.iv_drug_use) || x.T(F.immunosuppressed) || x.T(F.diabetes) ||
           x.T(F.recent_infection)) &&
          (worse_or_tender || nonmechanical))) &&
        (weak_any || numb_any || x.T(F.arm_symptoms) ||
         x.T(F.gait_disturbance) || x.T(F.weakness_progressing) ||
         x.T(F.foot_drop))) {
      fire(kInfectionSuspectedWithNeuro);
      ev_fever();
      evb(F.recent_spinal_procedure);
      evb(F.iv_drug_use);
      evb(F.immunosuppressed);
      evb(F.recent_infection);
      evb(F.night_pain);
      evb(F.pain_constant_unrelenting);
      ev(weak_any, F.leg_weakness);
      ev(numb_any, F.leg_numbness_tingling);
      evb(F.arm_symptoms);
      evb(F.gait_disturbance);
      evb(F.weakness_progressing);
      evb(F.foot_drop);
    }
    if (fever_any &&
        (x.T(F.midline_spinal_tenderness) ||
         x.T(F.local_swelling_heat_redness) || x.T(F.unexplained_weight_loss) ||
         (x.T(F.pain_constant_unrelenting) &&
          (x.T(F.worsening) || x.T(F.night_pain))))) {
      fire(kInfectionFeverSpinalFeatures);
      ev_fever();
      evb(F.local_swelling_heat_redness);
      evb(F.unexplained_weight_loss);
      evb(F.pain_constant_unrelenting);
      evb(F.night_pain);
    }
    if (high_risk && (worse_or_tender || nonmechanical) &&
        severe_or_uncontrolled) {
      fire(kInfectionHighRiskSevere);
      ev_high_risk();
      evb(F.pain_constant_unrelenting);
      evb(F.night_pain);
      evb(F.pain_uncontrolled);
    }
    if (x.T(F.diabetes) && x.T(F.worsening) && severe_or_uncontrolled) {
      fire(kInfectionDiabetesWorseningSevere);
      evb(F.pain_uncontrolled);
    }
  }
  if (nonmechanical && x.T(F.midline_spinal_tenderness) &&
      (x.T(F.arm_symptoms) || weak_any || numb_both ||
       x.T(F.gait_disturbance))) {
    fire(kCordNonmechanicalWithNeuro);
    evb(F.pain_constant_unrelenting);
    evb(F.night_pain);
    evb(F.arm_symptoms);
    ev(weak_any, F.leg_weakness);
    ev(numb_both, F.leg_numbness_tingling);
    evb(F.gait_disturbance);
  }
  if (x.T(F.recent_infection) && fever_any) {
    fire(kInfectionRecentInfectionFever);
    evb(F.recent_infection);
    ev_fever();
  }
  if (fever_any) {
    fire(kInfectionFever);
    ev_fever();
  }
  if (x.T(F.local_swelling_heat_redness)) {
    fire(kStructureLocalHeatRedness);
    evb(F.local_swelling_heat_redness);
  }
  // The spondyloarthritis rules: at_least(k, ...) counts definitely-true
  // children; `unless: age > 45` (or `age >= 40`) holds only for a known
  // age, so an unanswered age never suppresses them.
  if (x.Ge(F.onset_days, 90)) {
    const int young = x.Lt(F.age, 35);
    const int night = x.T(F.night_pain);
    const int exercise = x.T(F.improves_with_exercise);
    const int rest = x.T(F.not_improved_by_rest);
    const int stiffness = x.T(F.morning_stiffness_over_30_min);
    const int related = x.T(F.related_inflammatory_conditions);
    const int gradual = x.T(F.onset_gradual);
    if (!x.Gt(F.age, 45)) {
      if (young + night + exercise + rest + stiffness + related + gradual >=
          4) {
        fire(kSpaInflammatoryPattern);
        evb(F.night_pain);
      }
      if (young + night + exercise + related >= 3) {
        fire(kSpaNg65ThreeFeatures);
        evb(F.night_pain);
      }
    }
    if (!x.Ge(F.age, 40) && gradual + exercise + rest + night >= 3) {
      fire(kSpaInflammatoryAsas);
      evb(F.night_pain);
    }
  }
  if (!x.Gt(F.age, 45) &&
      (x.T(F.related_inflammatory_conditions) ||
       (x.Ge(F.onset_days, 90) &&
        x.Lt(F.age, 35) + x.T(F.night_pain) + x.T(F.improves_with_exercise) +
                x.T(F.not_improved_by_rest) +
                x.T(F.morning_stiffness_over_30_min) + x.T(F.onset_gradual) >=
            2))) {
    fire(kSpaFeaturesCheck);  // self_care
  }
  if (x.Eq(F.rom_limitation, kRomSevere)) {
    if (severe_or_uncontrolled) {
      fire(kTearSevereLimitationSeverePain);
      evb(F.pain_uncontrolled);
    }
    fire(kMovementSevereLimitation);
  }

  // ---- outputs --------------------------------------------------------------
  if ((conditions & radiculopathy_bit) &&
      (conditions & radiculopathy_covered_by))
    conditions &= ~radiculopathy_bit;
  out->level = static_cast<TriageLevel>(level);
  out->conditions = conditions;
  out->see = see[level];  // who to see: the rules at the result's level
  // Not assessed: red flags without an answer, except those the assessment
  // left out because no answer could matter (Case::not_needed).
  out->not_assessed = red_flag_mask & ~c.known & ~c.not_needed;
  out->fired.clear();
  for (int w = 0; w < kMaxRules / 64; ++w) {
    for (uint64_t bits = fired[w]; bits; bits &= bits - 1)
      out->fired.push_back(
          static_cast<uint16_t>(w * 64 + __builtin_ctzll(bits)));
  }
}

// ---------------------------------------------------------------------------
// Cases: vignettes, random cases, JSON.
// ---------------------------------------------------------------------------

std::shared_ptr<const KnowledgeBase> g_kb;

std::string CaseToJson(const KnowledgeBase& kb, const Case& c) {
  std::string out = "{\"id\":";
  backaid::AppendJsonString(c.id, &out);
  std::string findings;
  const auto& defs = kb.findings();
  for (size_t f = 0; f < defs.size(); ++f) {
    const int32_t v = c.values[f];
    if (v == kUnknown) continue;
    const backaid::FindingDef& d = defs[f];
    std::string value;
    switch (d.type) {
      case backaid::FindingType::kBool:
        value = v ? "true" : "false";
        break;
      case backaid::FindingType::kEnum:
        value = "\"" + d.values[v] + "\"";
        break;
      case backaid::FindingType::kInt:
        value = std::to_string(v);
        break;
      case backaid::FindingType::kNumber: {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.1f",
                      static_cast<double>(v) / d.scale);
        value = buf;
        break;
      }
    }
    if (d.key == "age" || d.key == "sex") {
      out += ",\"" + d.key + "\":" + value;
    } else {
      findings += findings.empty() ? "" : ",";
      findings += "\"" + d.key + "\":" + value;
    }
  }
  out += ",\"findings\":{" + findings + "}}";
  return out;
}

struct Vignette {
  Case c;
  std::string line;
};

std::vector<Vignette> LoadVignettes(const KnowledgeBase& kb,
                                    const std::string& path) {
  std::ifstream in(path);
  if (!in) Die("cannot open " + path);
  backaid::CaseReader reader(kb);
  std::vector<Vignette> out;
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Vignette v{kb.NewCase(), line};
    backaid::Status s = reader.Read(line, &v.c);
    if (!s.ok()) Die(path + ":" + std::to_string(number) + ": " + s.message());
    out.push_back(std::move(v));
  }
  return out;
}

// A random in-range value for a finding.
int32_t RandomValue(const backaid::FindingDef& d, std::mt19937_64& rng) {
  auto uniform = [&](int32_t lo, int32_t hi) {
    return std::uniform_int_distribution<int32_t>(lo, hi)(rng);
  };
  const int pick = uniform(0, 9);
  if (d.normal && pick < 3) return *d.normal;
  if (pick == 3) return d.min;
  if (pick == 4) return d.max;
  if (pick < 7 && d.max - d.min > 100)  // small values of wide ranges
    return uniform(d.min, d.min + 100);
  return uniform(d.min, d.max);
}

// A case with a random subset of findings set to random values.
Case RandomCase(const KnowledgeBase& kb, std::mt19937_64& rng, size_t n) {
  Case c = kb.NewCase();
  c.id = "random-" + std::to_string(n);
  const double density = std::uniform_real_distribution<double>(0.02, 0.9)(rng);
  std::bernoulli_distribution take(density);
  for (size_t f = 0; f < kb.findings().size(); ++f) {
    if (take(rng))
      kb.SetFinding(static_cast<backaid::FindingId>(f),
                    RandomValue(kb.findings()[f], rng), &c);
  }
  return c;
}

// A vignette with a few findings changed (set to a random value, or
// cleared), as in real batches where most cases look like the vignettes.
Case PerturbedCase(const KnowledgeBase& kb, const std::vector<Vignette>& base,
                   std::mt19937_64& rng, size_t n) {
  Case c =
      base[std::uniform_int_distribution<size_t>(0, base.size() - 1)(rng)].c;
  c.id = "perturbed-" + std::to_string(n);
  const int changes = std::uniform_int_distribution<int>(1, 6)(rng);
  for (int i = 0; i < changes; ++i) {
    const auto f =
        static_cast<backaid::FindingId>(std::uniform_int_distribution<size_t>(
            0, kb.findings().size() - 1)(rng));
    const bool clear = std::uniform_int_distribution<int>(0, 4)(rng) == 0;
    kb.SetFinding(f, clear ? kUnknown : RandomValue(kb.findings()[f], rng), &c);
  }
  return c;
}

// ---------------------------------------------------------------------------
// The equivalence check.
// ---------------------------------------------------------------------------

std::string Names(const KnowledgeBase& kb, const FindingSet& s) {
  std::string out;
  for (size_t f = 0; f < kb.findings().size(); ++f)
    if (s.test(f)) out += (out.empty() ? "" : ", ") + kb.findings()[f].key;
  return "[" + out + "]";
}
std::string ConditionNames(const KnowledgeBase& kb, uint32_t bits) {
  std::string out;
  for (size_t i = 0; i < kb.conditions().size(); ++i)
    if (bits >> i & 1) out += (out.empty() ? "" : ", ") + kb.conditions()[i].id;
  return "[" + out + "]";
}
std::string ServiceNames(const KnowledgeBase& kb, uint32_t bits) {
  std::string out;
  for (size_t i = 0; i < kb.services().size(); ++i)
    if (bits >> i & 1) out += (out.empty() ? "" : ", ") + kb.services()[i].id;
  return "[" + out + "]";
}
std::string RuleNames(const KnowledgeBase& kb, const std::vector<uint16_t>& r) {
  std::string out;
  for (uint16_t i : r) out += (out.empty() ? "" : ", ") + kb.rules()[i].id;
  return "[" + out + "]";
}

// Returns false (after printing the case and the differences) on mismatch.
bool CheckOne(const KnowledgeBase& kb, const Case& c, TriageResult* engine,
              YardstickResult* yard) {
  backaid::Evaluate(kb, c, engine);
  Yardstick(c, yard);
  std::string diff;
  auto add = [&](const char* what, const std::string& e, const std::string& y) {
    diff += std::string("  ") + what + ":\n    engine:    " + e +
            "\n    yardstick: " + y + "\n";
  };
  if (engine->level != yard->level)
    add("level", std::string(backaid::LevelName(engine->level)),
        std::string(backaid::LevelName(yard->level)));
  if (engine->conditions != yard->conditions)
    add("conditions", ConditionNames(kb, engine->conditions),
        ConditionNames(kb, yard->conditions));
  if (engine->see != yard->see)
    add("see", ServiceNames(kb, engine->see), ServiceNames(kb, yard->see));
  if (engine->fired != yard->fired)
    add("fired", RuleNames(kb, engine->fired), RuleNames(kb, yard->fired));
  if (engine->red_flags != yard->red_flags)
    add("red_flags", Names(kb, engine->red_flags), Names(kb, yard->red_flags));
  if (engine->not_assessed != yard->not_assessed)
    add("not_assessed", Names(kb, engine->not_assessed),
        Names(kb, yard->not_assessed));
  if (diff.empty()) return true;
  std::fprintf(stderr,
               "engine_bench: the yardstick and backaid::Evaluate disagree "
               "on case %s:\n  %s\n%s",
               c.id.c_str(), CaseToJson(kb, c).c_str(), diff.c_str());
  return false;
}

constexpr size_t kRandomCases = 100000;
constexpr uint64_t kSeed = 20261121;

// Pool for the benchmarks: the vignettes plus perturbed copies.
constexpr size_t kPoolSize = 1024;
std::vector<Case> g_pool;
std::vector<std::string> g_pool_json;
// All pool lines in one buffer, '\n'-separated, padded as simdjson needs
// (as in the batch path): line i is [offset[i], offset[i] + size[i]).
std::string g_pool_buffer;
std::vector<size_t> g_line_offset, g_line_size;

void Prepare() {
  auto kb_or = backaid::LoadEmbeddedKnowledgeBase();
  if (!kb_or.ok()) Die(kb_or.status().message());
  g_kb = *kb_or;
  const KnowledgeBase& kb = *g_kb;
  SetupYardstick(kb);

  std::vector<Vignette> vignettes;
  for (const std::string& path :
       {std::string(BACKAID_SOURCE_DIR "/../shared/vignettes/public.jsonl"),
        std::string(BACKAID_SOURCE_DIR "/knowledge/vignettes/own.jsonl")}) {
    std::vector<Vignette> v = LoadVignettes(kb, path);
    for (auto& x : v) vignettes.push_back(std::move(x));
  }

  TriageResult engine;
  YardstickResult yard;
  size_t checked = 0, mismatches = 0;
  constexpr size_t kMaxPrinted = 5;  // stop after this many disagreements
  // How often each rule fired during the check: a rule that never fired
  // was not checked at all (its transcription could be wrong unseen).
  std::vector<size_t> fired_count(kb.rules().size(), 0);
  auto check = [&](const Case& c) {
    ++checked;
    if (!CheckOne(kb, c, &engine, &yard)) ++mismatches;
    for (uint16_t r : engine.fired) ++fired_count[r];
  };
  for (const Vignette& v : vignettes) {
    if (mismatches < kMaxPrinted) check(v.c);
  }
  std::mt19937_64 rng(kSeed);
  for (size_t i = 0; i < kRandomCases && mismatches < kMaxPrinted; ++i) {
    check(RandomCase(kb, rng, i));
    check(PerturbedCase(kb, vignettes, rng, i));
  }
  if (mismatches > 0) {
    std::fprintf(stderr,
                 "engine_bench: equivalence check FAILED (%zu of %zu cases "
                 "checked disagree; stopped after %zu). Update the yardstick "
                 "in bench/engine_bench.cc to match knowledge/rules/*.yaml "
                 "(or fix the engine).\n",
                 mismatches, checked, kMaxPrinted);
    std::exit(1);
  }
  size_t least = 0;
  for (size_t r = 0; r < fired_count.size(); ++r) {
    if (fired_count[r] < fired_count[least]) least = r;
    if (fired_count[r] == 0)
      std::fprintf(stderr,
                   "engine_bench: warning: rule %s never fired during the "
                   "equivalence check, so its transcription is unchecked\n",
                   kb.rules()[r].id.c_str());
  }
  std::fprintf(stderr,
               "engine_bench: equivalence check passed: %zu cases (%zu "
               "vignettes, %zu random, %zu perturbed vignettes); %zu rules, "
               "each fired at least %zu times (fewest: %s)\n",
               checked, vignettes.size(), kRandomCases, kRandomCases,
               kb.rules().size(), fired_count.empty() ? 0 : fired_count[least],
               fired_count.empty() ? "-" : kb.rules()[least].id.c_str());

  // The benchmark pool and its JSON lines.
  std::mt19937_64 pool_rng(kSeed + 1);
  for (const Vignette& v : vignettes) {
    g_pool.push_back(v.c);
    g_pool_json.push_back(v.line);
  }
  for (size_t i = 0; g_pool.size() < kPoolSize; ++i) {
    g_pool.push_back(PerturbedCase(kb, vignettes, pool_rng, i));
    g_pool_json.push_back(CaseToJson(kb, g_pool.back()));
  }
  // Round-trip check: the JSON lines read back into the same cases.
  backaid::CaseReader reader(kb);
  Case back = kb.NewCase();
  for (size_t i = 0; i < g_pool.size(); ++i) {
    backaid::Status s = reader.Read(g_pool_json[i], &back);
    if (!s.ok() || back.values != g_pool[i].values || back.id != g_pool[i].id)
      Die("pool case " + g_pool[i].id + " does not round-trip through JSON: " +
          (s.ok() ? "values differ" : s.message()));
  }
  for (const std::string& line : g_pool_json) {
    g_line_offset.push_back(g_pool_buffer.size());
    g_line_size.push_back(line.size());
    g_pool_buffer += line;
    g_pool_buffer += '\n';
  }
  g_pool_buffer.append(64, '\0');  // >= simdjson::SIMDJSON_PADDING
}

// ---------------------------------------------------------------------------
// Benchmarks.
// ---------------------------------------------------------------------------

void BM_Engine(benchmark::State& state) {
  const KnowledgeBase& kb = *g_kb;
  TriageResult r;
  size_t i = 0;
  for (auto _ : state) {
    backaid::Evaluate(kb, g_pool[i], &r);
    benchmark::DoNotOptimize(r.level);
    benchmark::DoNotOptimize(r.fired.data());
    if (++i == g_pool.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Engine);

// The interpreter alone: what a --kb copy of the knowledge base (one the
// binary has no compiled rules for) costs.
void BM_EngineInterpreted(benchmark::State& state) {
  const KnowledgeBase& kb = *g_kb;
  TriageResult r;
  size_t i = 0;
  for (auto _ : state) {
    backaid::internal::Evaluate(kb, g_pool[i], &r, /*use_compiled=*/false);
    benchmark::DoNotOptimize(r.level);
    benchmark::DoNotOptimize(r.fired.data());
    if (++i == g_pool.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EngineInterpreted);

void BM_Yardstick(benchmark::State& state) {
  YardstickResult r;
  size_t i = 0;
  for (auto _ : state) {
    Yardstick(g_pool[i], &r);
    benchmark::DoNotOptimize(r.level);
    benchmark::DoNotOptimize(r.fired.data());
    if (++i == g_pool.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Yardstick);

// CaseReader::Read alone (the zero-copy form the batch path uses).
void BM_Read(benchmark::State& state) {
  const KnowledgeBase& kb = *g_kb;
  backaid::CaseReader reader(kb);
  Case c = kb.NewCase();
  const char* base = g_pool_buffer.data();
  const size_t end = g_pool_buffer.size();
  size_t i = 0;
  for (auto _ : state) {
    const size_t off = g_line_offset[i];
    backaid::Status s = reader.Read(base + off, g_line_size[i], end - off, &c);
    benchmark::DoNotOptimize(s);
    if (++i == g_pool.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(g_pool_buffer.size() - 64) /
                          static_cast<int64_t>(g_pool.size()));
}
BENCHMARK(BM_Read);

void BM_ReadAndEvaluate(benchmark::State& state) {
  const KnowledgeBase& kb = *g_kb;
  backaid::CaseReader reader(kb);
  Case c = kb.NewCase();
  TriageResult r;
  const char* base = g_pool_buffer.data();
  const size_t end = g_pool_buffer.size();
  size_t i = 0;
  for (auto _ : state) {
    const size_t off = g_line_offset[i];
    if (reader.Read(base + off, g_line_size[i], end - off, &c).ok())
      backaid::Evaluate(kb, c, &r);
    benchmark::DoNotOptimize(r.level);
    if (++i == g_pool.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReadAndEvaluate);

// AppendResultJson alone, on results evaluated beforehand. Argument 0 is
// the compact result of `backaid triage` (open questions as question ids),
// 1 the full one (`--full`: each open question with its words). Both carry
// could_not_rule_out.
void BM_WriteJson(benchmark::State& state) {
  const KnowledgeBase& kb = *g_kb;
  const backaid::ResultDetail detail = state.range(0) != 0
                                           ? backaid::ResultDetail::kFull
                                           : backaid::ResultDetail::kCompact;
  std::vector<TriageResult> results(g_pool.size());
  for (size_t k = 0; k < g_pool.size(); ++k)
    backaid::Evaluate(kb, g_pool[k], &results[k]);
  std::string out;
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    out.clear();
    backaid::AppendResultJson(kb, g_pool[i], results[i], &out, detail);
    bytes += out.size() + 1;
    benchmark::DoNotOptimize(out.data());
    if (++i == g_pool.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_WriteJson)->ArgName("full")->Arg(0)->Arg(1);

// The whole per-case batch path (as ProcessLines does it, JSON output;
// argument 1 writes the full open questions, as `--full`). With 2 threads (real
// time) it shows how the per-case work scales on the 2 cores.
void BM_ReadEvaluateWriteJson(benchmark::State& state) {
  const KnowledgeBase& kb = *g_kb;
  const backaid::ResultDetail detail = state.range(0) != 0
                                           ? backaid::ResultDetail::kFull
                                           : backaid::ResultDetail::kCompact;
  backaid::CaseReader reader(kb);
  Case c = kb.NewCase();
  TriageResult r;
  std::string out;
  const char* base = g_pool_buffer.data();
  const size_t end = g_pool_buffer.size();
  size_t i = (g_pool.size() / 2) * static_cast<size_t>(state.thread_index());
  for (auto _ : state) {
    const size_t off = g_line_offset[i];
    out.clear();
    if (reader.Read(base + off, g_line_size[i], end - off, &c).ok()) {
      backaid::Evaluate(kb, c, &r);
      backaid::AppendResultJson(kb, c, r, &out, detail);
      out.push_back('\n');
    }
    benchmark::DoNotOptimize(out.data());
    if (++i == g_pool.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReadEvaluateWriteJson)
    ->ArgName("full")
    ->Arg(0)
    ->Arg(1)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  Prepare();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
