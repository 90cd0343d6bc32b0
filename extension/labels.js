// What the guard says to the staff member, in the script of the message being held (the violations' `script`).
export const LABELS = {
  simplified: {
    held: "消息未发送：含有服务忌语",
    heldHint: "标出的词语不宜对群众说。可改用规范用语，或自行修改后再发送。",
    suggestion: "建议",
    willSend: "将改为（可选其他说法）：",
    useRewrite: "改用规范用语",
    keepEditing: "自行修改",
    sendAsIs: "仍然发送（将记录）",
    noRewrite: "这句话没有现成的规范说法，请参考说明自行修改。",
    unavailable: "检查服务无法连接，消息未发送。",
    retry: "重试",
    unchecked: "检查服务无法连接，消息未经检查已发送（已记录）。",
  },
  traditional: {
    held: "消息未發送：含有服務忌語",
    heldHint: "標出的詞語不宜對群眾說。可改用規範用語，或自行修改後再發送。",
    suggestion: "建議",
    willSend: "將改為（可選其他說法）：",
    useRewrite: "改用規範用語",
    keepEditing: "自行修改",
    sendAsIs: "仍然發送（將記錄）",
    noRewrite: "這句話沒有現成的規範說法，請參考說明自行修改。",
    unavailable: "檢查服務無法連接，消息未發送。",
    retry: "重試",
    unchecked: "檢查服務無法連接，消息未經檢查已發送（已記錄）。",
  },
};

const TRADITIONAL_SCRIPTS = new Set(["traditional", "tw", "hk"]);
// Characters that exist only in traditional script, enough to tell a message's script when the service gave
// none (it could not be reached): the labels then follow what the staff member writes.
const TRADITIONAL_HINT = /[們這個說話語請問應該對會來時從為裡嗎麼還沒見過與檢關號務業務點讓給經將]/u;

export function labelsFor(script, text = "") {
  if (script) return TRADITIONAL_SCRIPTS.has(script) ? LABELS.traditional : LABELS.simplified;
  return TRADITIONAL_HINT.test(text) ? LABELS.traditional : LABELS.simplified;
}
