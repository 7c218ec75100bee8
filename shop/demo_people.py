"""Fixed pools of names, places, banks and payment methods used by the demo generator."""

from __future__ import annotations

from shop.demo_builder import Place

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英",
         "霞", "平", "刚", "桂英", "丹", "萍", "鑫", "婷", "宇", "浩", "凯", "晨", "欣怡", "子轩", "雨涵", "梓萱", "一诺"]
EN_FIRST = ["Olivia", "James", "Sophie", "Daniel", "Grace", "Lucas", "Hannah", "Ethan", "Chloe", "Ryan", "Mia", "Noah"]
EN_LAST = ["Smith", "Wong", "Lee", "Taylor", "Brown", "Martin", "Lam", "Walker", "Harris", "Clark", "Young", "King"]

PLACES = (
    Place("北京市", "北京", "Beijing", "朝阳区建国路88号SOHO现代城3号楼1208室"),
    Place("上海市", "上海", "Shanghai", "浦东新区世纪大道1500号东方大厦15楼"),
    Place("广东省", "广州", "Guangzhou", "天河区体育西路191号中石化大厦B座2301"),
    Place("广东省", "深圳", "Shenzhen", "南山区科技园科苑路15号科兴科学园A栋"),
    Place("浙江省", "杭州", "Hangzhou", "西湖区文三路478号华星时代广场A座"),
    Place("江苏省", "南京", "Nanjing", "鼓楼区中山北路30号城市名人酒店公寓"),
    Place("四川省", "成都", "Chengdu", "武侯区天府大道北段1700号环球中心W6区"),
    Place("湖北省", "武汉", "Wuhan", "洪山区珞喻路1037号光谷步行街8栋"),
    Place("陕西省", "西安", "Xi'an", "雁塔区高新路52号高科大厦1506"),
    Place("辽宁省", "沈阳", "Shenyang", "和平区青年大街390号皇朝万鑫大厦"),
    Place("黑龙江省", "哈尔滨", "Harbin", "南岗区西大直街92号"),
    Place("福建省", "厦门", "Xiamen", "思明区鹭江道8号国际银行大厦"),
)
# Addresses that the shop's contracted couriers do not reach (EMS / SF do).
REMOTE_PLACES = (
    Place("西藏自治区", "阿里地区", "Ngari, Tibet", "噶尔县狮泉河镇北京路12号"),
    Place("新疆维吾尔自治区", "喀什地区", "Kashgar, Xinjiang", "塔什库尔干县红其拉甫路6号"),
    Place("青海省", "玉树藏族自治州", "Yushu, Qinghai", "杂多县萨呼腾镇团结路3号"),
)
REMOTE_ALTERNATIVES = ("EMS", "SF")
COURIER_POOL = ("ZTO", "YTO", "YUNDA", "SF", "JD")
BULKY_COURIER = "RRS"
BANKS = ("招商银行", "中国工商银行", "中国建设银行", "中国银行", "交通银行")
PAYMENTS = ("alipay", "alipay", "alipay", "wechat", "wechat", "bank_card", "balance")
