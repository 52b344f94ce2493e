// @ts-check
// The words of real-name tickets at the kiosk (kiosk-id.js), in Chinese and English; they
// follow the kiosk's language toggle (kiosk-words.js).
import { currentLang } from "./kiosk-words.js";

const ID_WORDS = {
  zh: {
    title: "实名取号",
    checkin_title: "身份证签到",
    prompt: "请将身份证放在读卡区，或输入身份证号码",
    checkin_prompt: "请将预约时登记的身份证放在读卡区，或输入号码",
    go: "确定",
    busy: "正在办理…",
    clear: "清空",
    backspace: "删除",
    hint: "号码只用于核对身份、限制重复取号，不会显示在屏幕和号票上",
    count: (n) => `已输入 ${n} / 18 位`,
    checkin_entry: "用身份证签到",
    shape: "身份证号码是18位：17位数字，最后一位是数字或 X",
    birth_date: "号码中的出生日期不对，请核对后重新输入",
    check_character: "号码有误，请核对后重新输入",
    not_found: "今天没有用这张身份证预约的业务",
    limit: (n) => `这项业务每人每天限取 ${n} 个号，这张身份证今天已取过。如有疑问，请到咨询台`,
    book_limit: "这张身份证已预约过这项业务",
    unavailable: "本机暂时不能实名取号，请到咨询台办理",
    real_name_mark: "实名",
  },
  en: {
    title: "Ticket by ID",
    checkin_title: "Check in with your ID card",
    prompt: "Place your ID card on the reader, or type its number",
    checkin_prompt: "Place the ID card you booked with on the reader, or type its number",
    go: "OK",
    busy: "Working…",
    clear: "Clear",
    backspace: "Delete",
    hint: "The number only checks who you are and stops repeat tickets; no screen or slip shows it",
    count: (n) => `${n} of 18 characters`,
    checkin_entry: "Check in with ID card",
    shape: "An ID number has 18 characters: 17 digits, then a digit or X",
    birth_date: "The date of birth in the number is wrong: please check it",
    check_character: "The number does not check: please type it again",
    not_found: "No booking for today was made with this ID card",
    limit: (n) => `One person may take ${n} ticket(s) a day for this service, and this ID card has. Ask at the enquiries desk if this is wrong`,
    book_limit: "This ID card has booked this service already",
    unavailable: "This kiosk cannot issue tickets by ID now: please ask at the enquiries desk",
    real_name_mark: "ID",
  },
};

/** The real-name words in the kiosk's current language. */
export const idWords = () => ID_WORDS[currentLang()] ?? ID_WORDS.zh;
